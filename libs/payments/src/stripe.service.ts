import { Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import type Stripe from 'stripe';
import { DataSource } from 'typeorm';
import {
  Actor,
  Clock,
  Currency,
  coreError,
  notFound,
  CoreErrorCode,
  CREDIT_LINES,
  CreditLine,
  Dec,
  Money,
  moneyString,
  ProblemError,
  tenantScope,
} from '#disty/core';
import { amountDue, ReceivablesService } from '#disty/invoicing';
import { AccountCode, atCarrying, credit, debit, LedgerService, lockReceivables, receivableCredits, receivableDebits } from '#disty/ledger';
import { applicationDate } from './domain/application-date';
import { BalanceTransaction, settle } from './domain/settlement';
import { PaymentIntentView } from './dto/payment.dto';
import { paymentsError, PaymentsErrorCode } from './errors';
import { PaymentAllocationService } from './payment-allocation.service';
import { PaymentService } from './payment.service';
import { OnBehalfCollections } from './on-behalf.port';
import { PAYMENT_COLUMNS, PaymentRow } from './payments.sql';
import { StripeDisputeService } from './stripe-dispute.service';
import { currencyOf, eventDate, idOf, lateNote, recordStripeEvent, setEventOutcome, toMajor, toMinor } from './stripe-events';
import { StripeGateway } from './stripe.gateway';
import { StripePayoutService } from './stripe-payout.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface WebhookOutcome {
  received: true;
  eventId: string;
  type: string;
  /** recorded | duplicate | ignored: <why> */
  outcome: string;
  paymentId?: string;
}

/**
 * Card payments through Stripe: PaymentIntents for an invoice's open amount, and the webhook that
 * records `payment_intent.succeeded` (debit 1050 net of fee and FX difference, 6100 fee, 7100 FX,
 * credit 1100/1110 pro rata, 2200 any excess) and `charge.refunded` (re-opens what the payment had
 * paid, or takes back its unapplied cash; credit 1050); payouts and disputes are handed to
 * StripePayoutService and StripeDisputeService. Each event takes effect once: its id is inserted
 * (unique) in the transaction that records its effect. An event dated in a closed month posts on the
 * first day of the first open month, its real date on its document and in the memo
 * (docs/accounting.md §3). Writes `payments`, `payment_allocations`, `payment_refunds`,
 * `stripe_payment_intents`, `stripe_events`.
 */
@Injectable()
export class StripeService {
  private readonly logger = new Logger('StripeService');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly stripe: StripeGateway,
    private readonly receivables: ReceivablesService,
    private readonly payments: PaymentService,
    private readonly allocations: PaymentAllocationService,
    private readonly ledger: LedgerService,
    private readonly clock: Clock,
    private readonly payouts: StripePayoutService,
    private readonly disputes: StripeDisputeService,
    @Optional() private readonly onBehalf?: OnBehalfCollections,
  ) {}

  /** POST /invoices/:id/payment-intents (the invoice's reseller): a PaymentIntent for what is due. */
  async createPaymentIntent(invoiceId: string, actor: Actor): Promise<PaymentIntentView> {
    const invoice = await this.receivables.findInvoice(this.db.manager, invoiceId, tenantScope(actor));
    if (!invoice) throw notFound(`Invoice ${invoiceId}`);
    const c = invoice.currency;
    const due = new Dec(moneyString(amountDue(invoice.open), c));
    if (!due.gt(0)) throw paymentsError(PaymentsErrorCode.NothingDue, `Invoice ${invoice.number} has nothing due`);
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.stripe.client().paymentIntents.create({
        amount: toMinor(due, c),
        currency: c.toLowerCase(),
        description: `Invoice ${invoice.number}`,
        metadata: { invoiceId: invoice.id, resellerId: invoice.resellerId, invoiceNumber: invoice.number },
      });
    } catch (e) {
      throw this.unavailable(e);
    }
    await this.db.query(
      `INSERT INTO stripe_payment_intents (id, invoice_id, reseller_id, amount, currency, created_by) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO NOTHING`,
      [intent.id, invoice.id, invoice.resellerId, due.toFixed(), c, actor.id],
    );
    return {
      paymentIntentId: intent.id,
      clientSecret: intent.client_secret ?? '',
      amount: moneyString(due, c),
      currency: c,
    };
  }

  /**
   * A PaymentIntent on the distributor's Stripe account for an amount collected on a reseller's
   * behalf (docs/billing-on-behalf.md): `metadata` names the reseller and the end-customer invoice.
   */
  async createCollectionIntent(a: {
    amount: Dec;
    currency: Currency;
    description: string;
    metadata: Record<string, string>;
  }): Promise<{ id: string; clientSecret: string }> {
    try {
      const intent = await this.stripe.client().paymentIntents.create({
        amount: toMinor(a.amount, a.currency),
        currency: a.currency.toLowerCase(),
        description: a.description,
        metadata: a.metadata,
      });
      return { id: intent.id, clientSecret: intent.client_secret ?? '' };
    } catch (e) {
      throw this.unavailable(e);
    }
  }

  /** A card collection on a reseller's behalf, handed to OnBehalfCollections in the event's transaction. */
  private async collectionSucceeded(event: Stripe.Event, intent: Stripe.PaymentIntent): Promise<{ outcome: string }> {
    const c = currencyOf(intent.currency);
    if (!c) {
      await recordStripeEvent(this.db.manager, event, null, `ignored: PaymentIntent ${intent.id} is in an unsupported currency`);
      return { outcome: `ignored: PaymentIntent ${intent.id} is in an unsupported currency` };
    }
    const amount = toMajor(intent.amount_received || intent.amount, c);
    const chargeId = idOf(intent.latest_charge as string | { id: string } | null);
    const { fee, settled } = settle(amount, c, chargeId ? await this.balanceTransactionOf(chargeId) : null);
    const resellerId =
      intent.metadata?.resellerId && UUID.test(intent.metadata.resellerId) ? intent.metadata.resellerId.toLowerCase() : null;
    return this.db.transaction(async (em) => {
      if (!(await recordStripeEvent(em, event, null, 'recorded'))) return { outcome: 'duplicate' };
      const ignored = async (why: string) => {
        await setEventOutcome(em, event.id, `ignored: ${why}`);
        return { outcome: `ignored: ${why}` };
      };
      if (!this.onBehalf) return ignored('collection on behalf is not available');
      if (settled) return ignored(`PaymentIntent ${intent.id} settled in another currency`);
      const r = await this.onBehalf.recordCard(em, {
        paymentIntentId: intent.id,
        endCustomerInvoiceId: intent.metadata.endCustomerInvoiceId.toLowerCase(),
        resellerId,
        currency: c,
        amount,
        fee,
        occurredOn: eventDate(event),
      });
      return r.collectionId ? { outcome: 'recorded' } : ignored(r.why ?? 'not a collection');
    });
  }

  /** POST /webhooks/stripe: verify, then record the event's effect once. */
  async handleWebhook(rawBody: unknown, signature: unknown): Promise<WebhookOutcome> {
    const event = this.stripe.constructEvent(rawBody, signature);
    const base = { received: true as const, eventId: event.id, type: event.type };
    if (await this.seen(event.id)) return { ...base, outcome: 'duplicate' };
    switch (event.type) {
      case 'payment_intent.succeeded':
        if (UUID.test(event.data.object.metadata?.endCustomerInvoiceId ?? ''))
          return { ...base, ...(await this.collectionSucceeded(event, event.data.object)) };
        return { ...base, ...(await this.paymentSucceeded(event, event.data.object)) };
      case 'charge.refunded':
        return { ...base, ...(await this.chargeRefunded(event, event.data.object)) };
      case 'payout.paid':
        return { ...base, ...(await this.payouts.payoutPaid(event, event.data.object)) };
      case 'charge.dispute.created':
        return { ...base, ...(await this.disputes.disputeCreated(event, event.data.object)) };
      case 'charge.dispute.closed':
        return { ...base, ...(await this.disputes.disputeClosed(event, event.data.object)) };
      default:
        await recordStripeEvent(this.db.manager, event, null, `ignored: ${event.type} is not handled`);
        return { ...base, outcome: 'ignored' };
    }
  }

  private async seen(eventId: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM stripe_events WHERE id = $1`, [eventId]);
    return rows.length > 0;
  }

  private async paymentSucceeded(event: Stripe.Event, intent: Stripe.PaymentIntent): Promise<{ outcome: string; paymentId?: string }> {
    const invoiceId = intent.metadata?.invoiceId;
    const invoice = invoiceId && UUID.test(invoiceId) ? await this.receivables.findInvoice(this.db.manager, invoiceId.toLowerCase()) : null;
    const currency = currencyOf(intent.currency);
    const ignore = async (why: string) => {
      this.logger.warn(`Stripe event ${event.id} ignored: ${why}`);
      await recordStripeEvent(this.db.manager, event, invoice?.resellerId ?? null, `ignored: ${why}`);
      return { outcome: `ignored: ${why}` };
    };
    if (!invoice) return ignore(`PaymentIntent ${intent.id} names no known invoice`);
    if (currency !== invoice.currency) return ignore(`PaymentIntent ${intent.id} is in ${currency}, the invoice in ${invoice.currency}`);
    const c = invoice.currency;
    const amount = toMajor(intent.amount_received || intent.amount, c);
    if (!amount.gt(0)) return ignore(`PaymentIntent ${intent.id} received nothing`);
    const chargeId = idOf(intent.latest_charge as string | { id: string } | null);
    const { fee, fxDifference, clearing, settled } = settle(amount, c, chargeId ? await this.balanceTransactionOf(chargeId) : null);
    const occurredOn = eventDate(event);
    const paymentId = randomUUID();

    return this.db.transaction(async (em) => {
      await lockReceivables(em, invoice.resellerId);
      // Paid no earlier than the invoice was issued (docs/money-integrity.md, leak 5); a closed month's
      // event on the first open day (docs/accounting.md §3, "Dates").
      const date = await this.ledger.postingDateFor(applicationDate(invoice.issueDate, occurredOn), em);
      if (!(await recordStripeEvent(em, event, invoice.resellerId, 'recorded', paymentId))) return { outcome: 'duplicate' };
      const existing: Array<{ id: string }> = await em.query(`SELECT id FROM payments WHERE stripe_payment_intent_id = $1`, [intent.id]);
      if (existing.length) {
        await setEventOutcome(em, event.id, 'duplicate: PaymentIntent already recorded', existing[0].id);
        return { outcome: 'duplicate', paymentId: existing[0].id };
      }
      const [locked] = await this.receivables.lockInvoices(em, invoice.resellerId, [invoice.id]);
      const take = Dec.min(amount, amountDue(locked.open));
      const unapplied = amount.minus(take);
      await em.query(
        `INSERT INTO payments (id, reseller_id, method, currency, amount, fee, unapplied, reference, received_on, invoice_id,
                               stripe_payment_intent_id, stripe_charge_id, occurred_on,
                               settlement_currency, settlement_amount, settlement_fee, exchange_rate, fx_difference)
         VALUES ($1, $2, 'STRIPE', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
        [
          paymentId,
          invoice.resellerId,
          c,
          amount.toFixed(),
          fee.toFixed(),
          unapplied.toFixed(),
          intent.id,
          date,
          invoice.id,
          intent.id,
          chargeId,
          occurredOn,
          settled?.currency ?? null,
          settled?.amount.toFixed() ?? null,
          settled?.fee.toFixed() ?? null,
          settled?.rate.toFixed() ?? null,
          fxDifference.toFixed(),
        ],
      );
      const perLine = await this.allocations.allocate(em, {
        paymentId,
        resellerId: invoice.resellerId,
        currency: c,
        batchId: paymentId,
        kind: 'PAYMENT',
        date,
        source: { type: 'payment', id: paymentId },
        targets: take.gt(0) ? [{ invoice: locked, amount: take }] : [],
      });
      await this.ledger.post(em, {
        entryDate: date,
        memo: `Stripe payment ${intent.id} for ${invoice.number}${settled ? ` (settled ${moneyString(settled.amount, settled.currency)} ${settled.currency} at ${settled.rate.toFixed()})` : ''}${lateNote(occurredOn, date)}`,
        source: { type: 'payment', id: paymentId },
        lines: [
          ...debit(AccountCode.StripeClearing, clearing, invoice.resellerId, c),
          ...debit(AccountCode.ProcessingFees, fee, invoice.resellerId, c),
          ...debit(AccountCode.FxRealised, fxDifference, invoice.resellerId, c),
          // Receivables leave at what they were booked at; a rate change since the invoice is realised FX (docs/accounting.md §10).
          ...atCarrying(receivableCredits(perLine, invoice.resellerId, c)),
          ...credit(AccountCode.UnappliedCash, unapplied, invoice.resellerId, c),
        ],
        fxDifferenceAccount: AccountCode.FxRealised,
      });
      await this.receivables.releaseCleared(em, invoice.resellerId, this.clock.today());
      await this.payments.announceReceived(em, paymentId);
      return { outcome: 'recorded', paymentId };
    });
  }

  /** The charge's balance transaction (what settled, its fee and rate), or null when Stripe gives none. */
  private async balanceTransactionOf(chargeId: string): Promise<BalanceTransaction | null> {
    try {
      const client = this.stripe.client();
      const charge = await client.charges.retrieve(chargeId, { expand: ['balance_transaction'] });
      let bt = charge.balance_transaction as Stripe.BalanceTransaction | string | null;
      if (typeof bt === 'string') bt = await client.balanceTransactions.retrieve(bt);
      const currency = currencyOf(bt?.currency);
      if (!bt || typeof bt.fee !== 'number' || !currency) return null;
      return {
        currency,
        amount: toMajor(bt.amount, currency),
        fee: toMajor(bt.fee, currency),
        rate: typeof bt.exchange_rate === 'number' && bt.exchange_rate > 0 ? new Dec(bt.exchange_rate) : null,
      };
    } catch (e) {
      throw this.unavailable(e);
    }
  }

  private async chargeRefunded(event: Stripe.Event, charge: Stripe.Charge): Promise<{ outcome: string; paymentId?: string }> {
    const intentId = idOf(charge.payment_intent as string | { id: string } | null);
    const rows: PaymentRow[] = intentId
      ? await this.db.query(`SELECT ${PAYMENT_COLUMNS} FROM payments p WHERE p.stripe_payment_intent_id = $1`, [intentId])
      : [];
    if (!rows.length) {
      const ours: unknown[] = intentId ? await this.db.query(`SELECT 1 FROM stripe_payment_intents WHERE id = $1`, [intentId]) : [];
      if (ours.length) {
        // Stripe does not order events: the payment's own event has not arrived yet. Not recorded, so
        // Stripe's retry applies it once the payment exists.
        throw coreError(CoreErrorCode.Conflict, `The payment of PaymentIntent ${intentId} is not recorded yet; retry later`);
      }
      await recordStripeEvent(this.db.manager, event, null, `ignored: no payment recorded for PaymentIntent ${intentId}`);
      return { outcome: `ignored: no payment recorded for PaymentIntent ${intentId}` };
    }
    const resellerId = rows[0].reseller_id;
    const refundId = randomUUID();
    const occurredOn = eventDate(event);
    return this.db.transaction(async (em) => {
      await lockReceivables(em, resellerId);
      const date = await this.ledger.postingDateFor(occurredOn, em);
      if (!(await recordStripeEvent(em, event, resellerId, 'recorded', rows[0].id))) return { outcome: 'duplicate' };
      const [p]: PaymentRow[] = await em.query(`SELECT ${PAYMENT_COLUMNS} FROM payments p WHERE p.id = $1 FOR UPDATE`, [rows[0].id]);
      const c = p.currency;
      const refundedTotal = Dec.min(toMajor(charge.amount_refunded ?? 0, c), new Dec(p.amount));
      const fresh = refundedTotal.minus(p.refunded);
      if (!fresh.gt(0)) {
        await setEventOutcome(em, event.id, 'nothing new refunded');
        return { outcome: 'nothing new refunded', paymentId: p.id };
      }
      const fromUnapplied = Dec.min(fresh, new Dec(p.unapplied));
      const fromInvoices = fresh.minus(fromUnapplied);
      const reopened: Record<CreditLine, Dec> = { HARDWARE: new Dec(0), CLOUD: new Dec(0) };
      if (fromInvoices.gt(0)) {
        // What this payment still pays per invoice and credit line, re-opened pro rata.
        const paid: Array<{ invoice_id: string; credit_line: CreditLine; amount: string }> = await em.query(
          `SELECT invoice_id, credit_line, sum(amount)::text AS amount FROM payment_allocations WHERE payment_id = $1
            GROUP BY 1, 2 HAVING sum(amount) > 0 ORDER BY 1, 2`,
          [p.id],
        );
        const parts = Money.of(fromInvoices, c).allocate(paid.map((x) => x.amount));
        await this.receivables.lockInvoices(em, resellerId, [...new Set(paid.map((x) => x.invoice_id))]);
        const byInvoice = new Map<string, Partial<Record<CreditLine, Dec>>>();
        paid.forEach((x, i) => {
          if (parts[i].isZero()) return;
          byInvoice.set(x.invoice_id, {
            ...(byInvoice.get(x.invoice_id) ?? {}),
            [x.credit_line]: parts[i].amount.negated(),
          });
          reopened[x.credit_line] = reopened[x.credit_line].plus(parts[i].amount);
        });
        for (const [invoiceId, amounts] of byInvoice) {
          await this.receivables.applyToInvoice(em, {
            invoiceId,
            amounts,
            date,
            kind: 'REFUND',
            source: { type: 'stripe_refund', id: refundId },
          });
        }
        const alloc = [...byInvoice.entries()].flatMap(([invoiceId, a]) =>
          CREDIT_LINES.filter((l) => a[l]).map((l) => ({ invoiceId, l, amount: a[l]! })),
        );
        await em.query(
          `INSERT INTO payment_allocations (payment_id, reseller_id, batch_id, kind, invoice_id, credit_line, amount, applied_on)
           SELECT $1, $2, $3, 'REFUND', t.invoice_id, t.line, t.amount, $4 FROM unnest($5::uuid[], $6::text[], $7::numeric[]) AS t(invoice_id, line, amount)`,
          [p.id, resellerId, refundId, date, alloc.map((x) => x.invoiceId), alloc.map((x) => x.l), alloc.map((x) => x.amount.toFixed())],
        );
      }
      await em.query(
        `INSERT INTO payment_refunds (id, payment_id, reseller_id, amount, from_unapplied, refunded_on, stripe_event_id, stripe_charge_id, occurred_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [refundId, p.id, resellerId, fresh.toFixed(), fromUnapplied.toFixed(), date, event.id, charge.id, occurredOn],
      );
      await em.query(`UPDATE payments SET refunded = refunded + $2, unapplied = unapplied - $3 WHERE id = $1`, [
        p.id,
        fresh.toFixed(),
        fromUnapplied.toFixed(),
      ]);
      await this.ledger.post(em, {
        entryDate: date,
        memo: `Stripe refund on ${p.stripe_payment_intent_id}${lateNote(occurredOn, date)}`,
        source: { type: 'stripe_refund', id: refundId },
        lines: [
          // Unapplied cash and the Stripe balance leave at their carrying values; the difference is realised FX (docs/accounting.md §10).
          ...atCarrying(debit(AccountCode.UnappliedCash, fromUnapplied, resellerId, c)),
          ...receivableDebits(reopened, resellerId, c),
          ...atCarrying(credit(AccountCode.StripeClearing, fresh, resellerId, c)),
        ],
        fxDifferenceAccount: AccountCode.FxRealised,
      });
      // What the refund re-opened is paid first by any unused credit (docs/money-integrity.md).
      await this.receivables.applyCredits(em, resellerId, c, date);
      return { outcome: 'recorded', paymentId: p.id };
    });
  }

  unavailable(e: unknown): ProblemError {
    if (e instanceof ProblemError) return e;
    const err = e as { message?: string; type?: string };
    this.logger.warn({ err: e }, 'Stripe API call failed');
    return paymentsError(
      PaymentsErrorCode.StripeUnavailable,
      `Stripe request failed: ${(err.message ?? String(e)).split('\n')[0].slice(0, 200)}`,
    );
  }
}
