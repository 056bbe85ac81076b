import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  Clock,
  CREDIT_LINES,
  CreditLine,
  Currency,
  Dec,
  idempotentTransaction,
  moneyString,
  ProblemError,
  retryOnConflict,
} from '#disty/core';
import { ReceivablesService } from '#disty/invoicing';
import { AccountCode, credit, debit, LedgerService, lockReceivables, receivableDebits } from '#disty/ledger';
import { CreateRefundDto, RefundView } from './dto/refund.dto';
import { paymentsError, PaymentsErrorCode } from './errors';
import { toMinor } from './stripe-events';
import { StripeGateway } from './stripe.gateway';

/** The source type of a credit-balance refund's entry (bank or Stripe). */
const CREDIT_REFUND_SOURCE = 'credit_refund';

interface Part {
  paymentId: string;
  intentId: string;
  /** An unused invoice credit refunded through this payment's card, or (absent) the payment's unapplied cash. */
  invoiceId?: string;
  line?: CreditLine;
  amount: Dec;
}

/**
 * `POST /refunds` with `method: STRIPE`: a reseller's credit balance that came from card payments,
 * paid back to the card through Stripe (docs/accounting.md §3). Refundable: the unapplied cash of
 * its Stripe payments (oldest first; debit 2200), then unused credits on invoices a Stripe payment
 * paid, through that payment's charge as far as the charge still holds money (debit 1100/1110);
 * credit 1050. One Stripe refund per payment, with an idempotency key derived from the payment's
 * state so a retry after a failed commit does not refund twice; recorded in `credit_refunds`
 * (method STRIPE) and its parts, the cash parts also in `payment_refunds`; `payments.refunded`
 * grows, so Stripe's own `charge.refunded` for it finds nothing new.
 */
@Injectable()
export class StripeRefundService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly stripe: StripeGateway,
    private readonly receivables: ReceivablesService,
    private readonly ledger: LedgerService,
    private readonly clock: Clock,
  ) {}

  async refund(reseller: { id: string; name: string }, c: Currency, dto: CreateRefundDto, createdBy: string | null): Promise<RefundView> {
    const amount = new Dec(dto.amount);
    const id = randomUUID();
    return retryOnConflict(() =>
      idempotentTransaction(this.db, async (em) => {
        await lockReceivables(em, reseller.id);
        await this.receivables.applyCredits(em, reseller.id, c, this.clock.today(), createdBy);
        const available = await this.sources(em, reseller.id, c);
        const refundable = available.reduce((s, p) => s.plus(p.amount), new Dec(0));
        if (amount.gt(refundable)) {
          throw paymentsError(
            PaymentsErrorCode.OverRefund,
            `Reseller ${reseller.name} has ${moneyString(refundable, c)} ${c} of credit from card payments refundable through Stripe; ${moneyString(amount, c)} cannot be refunded`,
            { refundable: moneyString(refundable, c), requested: moneyString(amount, c), method: 'STRIPE' },
          );
        }
        let left = amount;
        const parts: Part[] = [];
        for (const s of available) {
          if (!left.gt(0)) break;
          const take = Dec.min(left, s.amount);
          parts.push({ ...s, amount: take });
          left = left.minus(take);
        }
        // One Stripe refund per payment; money leaves only if everything below commits or Stripe's key replays it.
        const refundIds = new Map<string, string>();
        for (const paymentId of [...new Set(parts.map((p) => p.paymentId))]) {
          const mine = parts.filter((p) => p.paymentId === paymentId);
          const total = mine.reduce((s, p) => s.plus(p.amount), new Dec(0));
          const [state]: Array<{ refunded: string }> = await em.query(`SELECT refunded::text AS refunded FROM payments WHERE id = $1`, [
            paymentId,
          ]);
          refundIds.set(
            paymentId,
            await this.createStripeRefund(
              mine[0].intentId,
              total,
              c,
              `disty-credit-refund:${paymentId}:${state.refunded}:${total.toFixed()}`,
              id,
            ),
          );
        }
        await em.query(
          `INSERT INTO credit_refunds (id, reseller_id, currency, amount, reference, paid_on, created_by, method) VALUES ($1, $2, $3, $4, $5, $6, $7, 'STRIPE')`,
          [id, reseller.id, c, amount.toFixed(), dto.reference, dto.paidOn, createdBy],
        );
        for (const p of parts) {
          const stripeRefundId = refundIds.get(p.paymentId)!;
          if (p.invoiceId) {
            await em.query(
              `INSERT INTO credit_refund_parts (refund_id, reseller_id, invoice_id, credit_line, amount, stripe_payment_id, stripe_refund_id)
               VALUES ($1, $2, $3, $4, $5, $6, $7)`,
              [id, reseller.id, p.invoiceId, p.line, p.amount.toFixed(), p.paymentId, stripeRefundId],
            );
            await this.receivables.payOutCredit(em, {
              invoiceId: p.invoiceId,
              resellerId: reseller.id,
              line: p.line!,
              amount: p.amount,
              currency: c,
              date: dto.paidOn,
              source: { type: CREDIT_REFUND_SOURCE, id },
            });
            await em.query(`UPDATE payments SET refunded = refunded + $2 WHERE id = $1`, [p.paymentId, p.amount.toFixed()]);
          } else {
            await em.query(
              `WITH x AS (INSERT INTO credit_refund_parts (refund_id, reseller_id, payment_id, amount, stripe_payment_id, stripe_refund_id)
                          VALUES ($1, $2, $3, $4, $3, $6) RETURNING 1),
                    u AS (UPDATE payments SET unapplied = unapplied - $4, refunded = refunded + $4 WHERE id = $3 RETURNING 1)
               INSERT INTO payment_refunds (payment_id, reseller_id, amount, from_unapplied, refunded_on, occurred_on)
               SELECT $3, $2, $4, $4, $5, $5 FROM x, u`,
              [id, reseller.id, p.paymentId, p.amount.toFixed(), dto.paidOn, stripeRefundId],
            );
          }
        }
        const credits = parts.filter((p) => p.invoiceId);
        const cash = parts.filter((p) => !p.invoiceId);
        const perLine = Object.fromEntries(CREDIT_LINES.map((l) => [l, sum(credits.filter((p) => p.line === l))])) as Record<
          CreditLine,
          Dec
        >;
        await this.ledger.post(em, {
          entryDate: dto.paidOn,
          memo: `Stripe refund of credit balance ${dto.reference} (${[...refundIds.values()].join(', ')})`.slice(0, 500),
          source: { type: CREDIT_REFUND_SOURCE, id },
          createdBy,
          lines: [
            ...receivableDebits(perLine, reseller.id, c),
            ...debit(AccountCode.UnappliedCash, sum(cash), reseller.id, c),
            ...credit(AccountCode.StripeClearing, amount, reseller.id, c),
          ],
        });
        return {
          id,
          resellerId: reseller.id,
          amount: moneyString(amount, c),
          currency: c,
          reference: dto.reference,
          paidOn: dto.paidOn,
          method: 'STRIPE' as const,
          from: {
            HARDWARE: moneyString(perLine.HARDWARE, c),
            CLOUD: moneyString(perLine.CLOUD, c),
            unappliedCash: moneyString(sum(cash), c),
          },
        };
      }),
    );
  }

  /**
   * What may go back to cards, in the order it is refunded, locked: each Stripe payment's unapplied
   * cash, then each unused invoice credit through the Stripe payments that paid that invoice, up to
   * what the charge still holds (amount − refunded − unapplied − disputed and not won back).
   */
  private async sources(em: EntityManager, resellerId: string, c: Currency): Promise<Part[]> {
    const payments: Array<{ id: string; intent: string; unapplied: string; room: string }> = await em.query(
      `SELECT p.id, p.stripe_payment_intent_id AS intent, p.unapplied::text AS unapplied,
              (p.amount - p.refunded - p.unapplied - coalesce((SELECT sum(d.amount) FROM stripe_disputes d WHERE d.payment_id = p.id AND d.status <> 'WON'), 0))::text AS room
         FROM payments p WHERE p.reseller_id = $1 AND p.currency = $2 AND p.method = 'STRIPE'
        ORDER BY p.received_on, p.created_at, p.id FOR UPDATE`,
      [resellerId, c],
    );
    const parts: Part[] = payments
      .filter((p) => new Dec(p.unapplied).gt(0))
      .map((p) => ({ paymentId: p.id, intentId: p.intent, amount: new Dec(p.unapplied) }));
    const credits = await this.receivables.unusedCredits(em, resellerId, c, true);
    if (!credits.length || !payments.length) return parts;
    const room = new Map(payments.map((p) => [p.id, Dec.max(0, new Dec(p.room))]));
    const intentOf = new Map(payments.map((p) => [p.id, p.intent]));
    const payers: Array<{ invoice_id: string; payment_id: string }> = await em.query(
      `SELECT invoice_id, payment_id FROM payment_allocations WHERE payment_id = ANY($1::uuid[]) AND invoice_id = ANY($2::uuid[])
        GROUP BY 1, 2 HAVING sum(amount) > 0 ORDER BY 1, 2`,
      [payments.map((p) => p.id), [...new Set(credits.map((x) => x.invoiceId))]],
    );
    for (const credit of credits) {
      let left = credit.amount;
      for (const payer of payers.filter((x) => x.invoice_id === credit.invoiceId)) {
        const take = Dec.min(left, room.get(payer.payment_id)!);
        if (!take.gt(0)) continue;
        parts.push({
          paymentId: payer.payment_id,
          intentId: intentOf.get(payer.payment_id)!,
          invoiceId: credit.invoiceId,
          line: credit.line,
          amount: take,
        });
        room.set(payer.payment_id, room.get(payer.payment_id)!.minus(take));
        left = left.minus(take);
      }
    }
    return parts;
  }

  private async createStripeRefund(intentId: string, amount: Dec, c: Currency, idempotencyKey: string, refundId: string): Promise<string> {
    try {
      const refund = await this.stripe.client().refunds.create(
        {
          payment_intent: intentId,
          amount: toMinor(amount, c),
          reason: 'requested_by_customer',
          metadata: { disty_credit_refund_id: refundId },
        },
        { idempotencyKey },
      );
      return refund.id;
    } catch (e) {
      const err = e as { message?: string; statusCode?: number; type?: string };
      if (err.type === 'StripeInvalidRequestError' || (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)) {
        throw paymentsError(
          PaymentsErrorCode.StripeRefused,
          `Stripe refused the refund on ${intentId}: ${String(err.message ?? e)
            .split('\n')[0]
            .slice(0, 200)}`,
        );
      }
      if (e instanceof ProblemError) throw e;
      throw paymentsError(
        PaymentsErrorCode.StripeUnavailable,
        `Stripe request failed: ${String(err.message ?? e)
          .split('\n')[0]
          .slice(0, 200)}`,
      );
    }
  }
}

const sum = (xs: Array<{ amount: Dec }>) => xs.reduce((s, x) => s.plus(x.amount), new Dec(0));
