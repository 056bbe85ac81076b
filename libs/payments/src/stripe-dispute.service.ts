import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import type Stripe from 'stripe';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, coreError, CoreErrorCode, CREDIT_LINES, CreditLine, Currency, Dec, environment, Money, moneyString } from '#disty/core';
import { ReceivablesService } from '#disty/invoicing';
import { AccountCode, credit, debit, LedgerService, lockReceivables, receivableCredits, receivableDebits } from '#disty/ledger';
import { PAYMENT_COLUMNS, PaymentRow } from './payments.sql';
import { currencyOf, eventDate, idOf, lateNote, recordStripeEvent, roundTo, setEventOutcome, toMajor } from './stripe-events';

/** Stripe's dispute fee when the event gives no balance transaction (docs/accounting.md §3): STRIPE_DISPUTE_FEE, default 25.00. */
export const DEFAULT_DISPUTE_FEE = '25.00';

interface DisputeRow {
  id: string;
  payment_id: string;
  reseller_id: string;
  currency: Currency;
  amount: string;
  fee: string;
  status: 'OPEN' | 'WON' | 'LOST';
}

type Outcome = { outcome: string; paymentId?: string };

/**
 * Owns `stripe_disputes`: a card payment's charge disputed by the cardholder.
 * - `charge.dispute.created`: Stripe takes the disputed amount and its fee out of the balance. The
 *   amount re-opens what the payment paid (debit 1100/1110 pro rata to what it still pays per
 *   invoice and credit line; then 2200 for its unapplied cash), the fee is an expense (debit 6100);
 *   credit 1050 both. Source `stripe_dispute` (the dispute row).
 * - `charge.dispute.closed` `won`: Stripe gives the amount back (and the fee when its balance
 *   transactions say so): debit 1050, credit the invoices the dispute re-opened (what is still open
 *   on them), 2200 the rest, 6100 the returned fee. Source `stripe_dispute_won`. `lost` posts nothing.
 * Each under the reseller's receivables lock, once per event and once per dispute.
 */
@Injectable()
export class StripeDisputeService {
  private readonly logger = new Logger('StripeDisputeService');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly receivables: ReceivablesService,
    private readonly ledger: LedgerService,
    private readonly clock: Clock,
  ) {}

  async disputeCreated(event: Stripe.Event, dispute: Stripe.Dispute): Promise<Outcome> {
    // An inquiry (warning_*) withdraws nothing: nothing to record.
    if (String(dispute.status).startsWith('warning_'))
      return this.ignore(event, null, `dispute ${dispute.id} is an inquiry (${dispute.status}): no funds withdrawn`);
    const payment = await this.paymentOf(event, dispute);
    if ('outcome' in payment) return payment;
    const c = payment.currency;
    if (currencyOf(dispute.currency) !== c)
      return this.ignore(event, payment.reseller_id, `dispute ${dispute.id} is in ${dispute.currency}, the payment in ${c}`);
    const disputed = toMajor(dispute.amount, c);
    if (!disputed.gt(0)) return this.ignore(event, payment.reseller_id, `dispute ${dispute.id} disputes nothing`);
    const fee = this.feeOf(dispute, c, 'withdrawn') ?? new Dec(environment().STRIPE_DISPUTE_FEE ?? DEFAULT_DISPUTE_FEE);
    const occurredOn = eventDate(event);
    const id = randomUUID();
    const resellerId = payment.reseller_id;

    return this.db.transaction(async (em) => {
      await lockReceivables(em, resellerId);
      if (!(await recordStripeEvent(em, event, resellerId, 'recorded', payment.id))) return { outcome: 'duplicate' };
      const known: unknown[] = await em.query(`SELECT 1 FROM stripe_disputes WHERE stripe_dispute_id = $1`, [dispute.id]);
      if (known.length) {
        await setEventOutcome(em, event.id, 'duplicate: dispute already recorded');
        return { outcome: 'duplicate', paymentId: payment.id };
      }
      const date = await this.ledger.postingDateFor(occurredOn, em);
      const [p]: PaymentRow[] = await em.query(`SELECT ${PAYMENT_COLUMNS} FROM payments p WHERE p.id = $1 FOR UPDATE`, [payment.id]);
      // What the payment still pays per invoice and credit line: the dispute re-opens it pro rata.
      const paid: Array<{ invoice_id: string; credit_line: CreditLine; amount: string }> = await em.query(
        `SELECT invoice_id, credit_line, sum(amount)::text AS amount FROM payment_allocations WHERE payment_id = $1
          GROUP BY 1, 2 HAVING sum(amount) > 0 ORDER BY 1, 2`,
        [p.id],
      );
      const stillPaid = paid.reduce((s, x) => s.plus(x.amount), new Dec(0));
      // Never more than the payment still holds (refunds and earlier disputes took the rest).
      const amount = Dec.min(disputed, stillPaid.plus(p.unapplied));
      if (!amount.gt(0)) {
        await setEventOutcome(em, event.id, 'ignored: the payment holds nothing more to dispute');
        return { outcome: 'ignored: the payment holds nothing more to dispute', paymentId: p.id };
      }
      const fromInvoices = Dec.min(amount, stillPaid);
      const fromUnapplied = amount.minus(fromInvoices);
      const parts = fromInvoices.gt(0) ? Money.of(fromInvoices, c).allocate(paid.map((x) => x.amount)) : [];
      const reopened = await this.moveOnInvoices(
        em,
        p,
        id,
        date,
        'REFUND',
        { type: 'stripe_dispute', id },
        parts.map((part, i) => ({ ...paid[i], amount: part.amount.negated() })),
      );
      await em.query(
        `INSERT INTO stripe_disputes (id, stripe_dispute_id, payment_id, reseller_id, currency, amount, fee, from_unapplied, occurred_on, posted_on, opened_event_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [id, dispute.id, p.id, resellerId, c, amount.toFixed(), fee.toFixed(), fromUnapplied.toFixed(), occurredOn, date, event.id],
      );
      await em.query(`UPDATE payments SET unapplied = unapplied - $2 WHERE id = $1`, [p.id, fromUnapplied.toFixed()]);
      await this.ledger.post(em, {
        entryDate: date,
        memo: `Stripe dispute ${dispute.id} on ${p.stripe_payment_intent_id}: ${moneyString(amount, c)} ${c} disputed, fee ${moneyString(fee, c)}${lateNote(occurredOn, date)}`,
        source: { type: 'stripe_dispute', id },
        lines: [
          ...receivableDebits(perLine(reopened), resellerId, c),
          ...debit(AccountCode.UnappliedCash, fromUnapplied, resellerId, c),
          ...debit(AccountCode.ProcessingFees, fee, resellerId, c),
          ...credit(AccountCode.StripeClearing, amount.plus(fee), resellerId, c),
        ],
      });
      // What the dispute re-opened is paid first by any unused credit (docs/money-integrity.md).
      await this.receivables.applyCredits(em, resellerId, c, date);
      return { outcome: 'recorded', paymentId: p.id };
    });
  }

  async disputeClosed(event: Stripe.Event, dispute: Stripe.Dispute): Promise<Outcome> {
    const rows: DisputeRow[] = await this.db.query(`SELECT id, reseller_id FROM stripe_disputes WHERE stripe_dispute_id = $1`, [
      dispute.id,
    ]);
    if (!rows.length) {
      if (String(dispute.status).startsWith('warning_'))
        return this.ignore(event, null, `dispute ${dispute.id} was an inquiry (${dispute.status})`);
      const payment = await this.paymentOf(event, dispute);
      if ('outcome' in payment) return payment;
      // Stripe does not order events: the dispute's opening has not arrived yet; retried later.
      throw coreError(CoreErrorCode.Conflict, `Dispute ${dispute.id} is not recorded yet; retry later`);
    }
    const resellerId = rows[0].reseller_id;
    const occurredOn = eventDate(event);
    return this.db.transaction(async (em) => {
      await lockReceivables(em, resellerId);
      const [d]: DisputeRow[] = await em.query(
        `SELECT id, payment_id, reseller_id, currency, amount::text AS amount, fee::text AS fee, status FROM stripe_disputes WHERE id = $1 FOR UPDATE`,
        [rows[0].id],
      );
      if (!(await recordStripeEvent(em, event, resellerId, 'recorded', d.payment_id))) return { outcome: 'duplicate' };
      if (d.status !== 'OPEN') {
        await setEventOutcome(em, event.id, `duplicate: dispute already closed ${d.status}`);
        return { outcome: 'duplicate', paymentId: d.payment_id };
      }
      const date = await this.ledger.postingDateFor(occurredOn, em);
      if (dispute.status !== 'won') {
        // lost (or closed without a ruling in the merchant's favour): Stripe keeps the money; nothing to post.
        await em.query(
          `UPDATE stripe_disputes SET status = 'LOST', closed_on = $2, closed_occurred_on = $3, closed_event_id = $4 WHERE id = $1`,
          [d.id, date, occurredOn, event.id],
        );
        await setEventOutcome(em, event.id, `recorded: dispute ${dispute.status}`);
        return { outcome: `recorded: dispute ${dispute.status}`, paymentId: d.payment_id };
      }
      const c = d.currency;
      const amount = new Dec(d.amount);
      const feeReturned = Dec.min(this.feeOf(dispute, c, 'reinstated') ?? new Dec(0), new Dec(d.fee));
      const [p]: PaymentRow[] = await em.query(`SELECT ${PAYMENT_COLUMNS} FROM payments p WHERE p.id = $1 FOR UPDATE`, [d.payment_id]);
      // Pay again what the dispute re-opened, as far as it is still open; the rest is the payment's unapplied cash.
      const reopened: Array<{ invoice_id: string; credit_line: CreditLine; amount: string }> = await em.query(
        `SELECT invoice_id, credit_line, (-sum(amount))::text AS amount FROM payment_allocations WHERE batch_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
        [d.id],
      );
      const invoices = await this.receivables.lockInvoices(em, resellerId, [...new Set(reopened.map((x) => x.invoice_id))]);
      const openOf = new Map(invoices.map((i) => [i.id, i.open]));
      const repay = reopened.map((x) => ({
        ...x,
        amount: Dec.max(0, Dec.min(new Dec(x.amount), openOf.get(x.invoice_id)?.[x.credit_line] ?? 0)),
      }));
      const wonId = randomUUID();
      const repaid = await this.moveOnInvoices(
        em,
        p,
        wonId,
        date,
        'PAYMENT',
        { type: 'stripe_dispute_won', id: d.id },
        repay,
        'APPLICATION',
      );
      const toUnapplied = amount.minus(CREDIT_LINES.reduce((s, l) => s.plus(perLine(repaid)[l]), new Dec(0)));
      await em.query(
        `UPDATE stripe_disputes SET status = 'WON', closed_on = $2, closed_occurred_on = $3, closed_event_id = $4, fee_returned = $5, reinstated_to_unapplied = $6
          WHERE id = $1`,
        [d.id, date, occurredOn, event.id, feeReturned.toFixed(), toUnapplied.toFixed()],
      );
      await em.query(`UPDATE payments SET unapplied = unapplied + $2 WHERE id = $1`, [p.id, toUnapplied.toFixed()]);
      await this.ledger.post(em, {
        entryDate: date,
        memo: `Stripe dispute ${dispute.id} won: ${moneyString(amount, c)} ${c} reinstated, fee returned ${moneyString(feeReturned, c)}${lateNote(occurredOn, date)}`,
        source: { type: 'stripe_dispute_won', id: d.id },
        lines: [
          ...debit(AccountCode.StripeClearing, amount.plus(feeReturned), resellerId, c),
          ...receivableCredits(perLine(repaid), resellerId, c),
          ...credit(AccountCode.UnappliedCash, toUnapplied, resellerId, c),
          ...credit(AccountCode.ProcessingFees, feeReturned, resellerId, c),
        ],
      });
      await this.receivables.releaseCleared(em, resellerId, this.clock.today());
      return { outcome: 'recorded: dispute won', paymentId: p.id };
    });
  }

  /**
   * Moves the payment's allocations on invoices (negative: re-open, positive: pay) with their AR
   * movements; `batch` is the allocation batch (the dispute row re-opening, a new id paying again).
   */
  private async moveOnInvoices(
    em: EntityManager,
    p: PaymentRow,
    batch: string,
    date: string,
    kind: 'PAYMENT' | 'REFUND',
    source: { type: string; id: string },
    parts: Array<{ invoice_id: string; credit_line: CreditLine; amount: Dec }>,
    allocationKind: 'REFUND' | 'APPLICATION' = 'REFUND',
  ): Promise<Array<{ invoice_id: string; credit_line: CreditLine; amount: Dec }>> {
    const moved = parts.filter((x) => !x.amount.isZero());
    if (!moved.length) return [];
    await this.receivables.lockInvoices(em, p.reseller_id, [...new Set(moved.map((x) => x.invoice_id))]);
    const byInvoice = new Map<string, Partial<Record<CreditLine, Dec>>>();
    for (const x of moved) byInvoice.set(x.invoice_id, { ...(byInvoice.get(x.invoice_id) ?? {}), [x.credit_line]: x.amount });
    for (const [invoiceId, amounts] of byInvoice) {
      await this.receivables.applyToInvoice(em, { invoiceId, amounts, date, kind, source });
    }
    await em.query(
      `INSERT INTO payment_allocations (payment_id, reseller_id, batch_id, kind, invoice_id, credit_line, amount, applied_on)
       SELECT $1, $2, $3, $4, t.invoice_id, t.line, t.amount, $5 FROM unnest($6::uuid[], $7::text[], $8::numeric[]) AS t(invoice_id, line, amount)`,
      [
        p.id,
        p.reseller_id,
        batch,
        allocationKind,
        date,
        moved.map((x) => x.invoice_id),
        moved.map((x) => x.credit_line),
        moved.map((x) => x.amount.toFixed()),
      ],
    );
    return moved.map((x) => ({ ...x, amount: x.amount.abs() }));
  }

  /**
   * The fee in the dispute's balance transactions, in the payment currency: Stripe's withdrawal fee
   * (`withdrawn`, transactions taking money) or the fee it gave back (`reinstated`, transactions
   * returning money, a negative fee). null when the event lists no such transaction.
   */
  private feeOf(dispute: Stripe.Dispute, c: Currency, which: 'withdrawn' | 'reinstated'): Dec | null {
    const bts = (dispute.balance_transactions ?? []).filter(
      (bt) => typeof bt?.amount === 'number' && (which === 'withdrawn' ? bt.amount < 0 : bt.amount > 0),
    );
    if (!bts.length) return null;
    return bts.reduce((sum, bt) => {
      const btc = currencyOf(bt.currency);
      if (!btc || typeof bt.fee !== 'number') return sum;
      const fee = toMajor(which === 'withdrawn' ? bt.fee : -bt.fee, btc);
      if (!fee.gt(0)) return sum;
      if (btc === c) return sum.plus(fee);
      return bt.exchange_rate ? sum.plus(roundTo(fee.div(bt.exchange_rate), c)) : sum;
    }, new Dec(0));
  }

  /** The card payment a dispute is about, or the outcome when there is none (ignored, or 409 to be retried). */
  private async paymentOf(event: Stripe.Event, dispute: Stripe.Dispute): Promise<PaymentRow | Outcome> {
    const intentId = idOf(dispute.payment_intent as string | { id: string } | null);
    const chargeId = idOf(dispute.charge as string | { id: string } | null);
    const rows: PaymentRow[] = await this.db.query(
      `SELECT ${PAYMENT_COLUMNS} FROM payments p WHERE p.stripe_payment_intent_id = $1 OR p.stripe_charge_id = $2 ORDER BY p.created_at LIMIT 1`,
      [intentId, chargeId],
    );
    if (rows.length) return rows[0];
    const ours: unknown[] = intentId ? await this.db.query(`SELECT 1 FROM stripe_payment_intents WHERE id = $1`, [intentId]) : [];
    if (ours.length) throw coreError(CoreErrorCode.Conflict, `The payment of PaymentIntent ${intentId} is not recorded yet; retry later`);
    return this.ignore(event, null, `no payment recorded for dispute ${dispute.id}`);
  }

  private async ignore(event: Stripe.Event, resellerId: string | null, why: string): Promise<Outcome> {
    this.logger.warn(`Stripe event ${event.id} ignored: ${why}`);
    await recordStripeEvent(this.db.manager, event, resellerId, `ignored: ${why}`);
    return { outcome: `ignored: ${why}` };
  }
}

function perLine(parts: Array<{ credit_line: CreditLine; amount: Dec }>): Record<CreditLine, Dec> {
  const out: Record<CreditLine, Dec> = { HARDWARE: new Dec(0), CLOUD: new Dec(0) };
  for (const x of parts) out[x.credit_line] = out[x.credit_line].plus(x.amount);
  return out;
}
