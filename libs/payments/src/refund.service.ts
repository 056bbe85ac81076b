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
  validationError,
} from '#disty/core';
import { ReceivablesService } from '#disty/invoicing';
import { AccountCode, atCarrying, credit, debit, LedgerService, lockReceivables, receivableDebits } from '#disty/ledger';
import { ResellerService } from '#disty/reseller';
import { WebhookService } from '#disty/webhooks';
import { CreateRefundDto, CreditBalanceView, RefundView } from './dto/refund.dto';
import { paymentsError, PaymentsErrorCode } from './errors';
import { StripeRefundService } from './stripe-refund.service';

export const CREDIT_REFUND_SOURCE = 'credit_refund';

interface CreditSource {
  invoiceId: string;
  line: CreditLine;
  amount: Dec;
}

interface CashSource {
  paymentId: string;
  amount: Dec;
}

/**
 * Owns `credit_refunds` and `credit_refund_parts`: the bank refund of a reseller's credit balance
 * (docs/money-integrity.md, "usable credits"). What a reseller may be refunded is what remains
 * after its credits were applied to everything it owes: unused invoice credits (negative open
 * amounts, oldest first; debit 1100/1110) and unapplied bank cash (oldest first; debit 2200),
 * paid from the bank (credit 1000), as one entry (source credit_refund).
 */
@Injectable()
export class RefundService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly receivables: ReceivablesService,
    private readonly ledger: LedgerService,
    private readonly resellers: ResellerService,
    private readonly clock: Clock,
    private readonly stripeRefunds: StripeRefundService,
    private readonly webhooks: WebhookService,
  ) {}

  /** GET /refunds/credit-balance?resellerId=: what a refund may pay out now. */
  async creditBalance(resellerId: string, currency: Currency | null = null): Promise<CreditBalanceView> {
    const reseller = await this.reseller(resellerId);
    const c = currency ?? reseller.currency;
    const { credits, cash } = await this.sources(this.db.manager, resellerId, c, false);
    return {
      resellerId,
      currency: c,
      from: this.fromView(credits, cash, c),
      refundable: moneyString(total(credits, cash), c),
    };
  }

  /** POST /refunds: refunds part or all of the reseller's credit balance. More than it is: 422 over-refund. */
  async refund(dto: CreateRefundDto, createdBy: string | null): Promise<RefundView> {
    const reseller = await this.reseller(dto.resellerId);
    if (dto.currency !== reseller.currency) {
      throw paymentsError(
        PaymentsErrorCode.CurrencyMismatch,
        `Reseller ${reseller.name} is invoiced in ${reseller.currency}, not ${dto.currency}`,
      );
    }
    if (dto.paidOn > this.clock.today()) {
      throw validationError('paidOn cannot be in the future', [{ field: 'paidOn', message: `must be on or before ${this.clock.today()}` }]);
    }
    const c = reseller.currency;
    // Credit from card payments goes back to the cards (docs/accounting.md §3).
    if (dto.method === 'STRIPE') return this.stripeRefunds.refund(reseller, c, dto, createdBy);
    const amount = new Dec(dto.amount);
    const id = randomUUID();
    // With an Idempotency-Key, the refund and the key's response commit together.
    return retryOnConflict(() =>
      idempotentTransaction(this.db, async (em) => {
        await lockReceivables(em, reseller.id);
        // Credits first pay what the reseller owes; only the rest is refundable.
        await this.receivables.applyCredits(em, reseller.id, c, this.clock.today(), createdBy);
        const available = await this.sources(em, reseller.id, c, true);
        const refundable = total(available.credits, available.cash);
        if (amount.gt(refundable)) {
          throw paymentsError(
            PaymentsErrorCode.OverRefund,
            `Reseller ${reseller.name} has a refundable credit balance of ${moneyString(refundable, c)} ${c}; ${moneyString(amount, c)} cannot be refunded`,
            { refundable: moneyString(refundable, c), requested: moneyString(amount, c) },
          );
        }
        let left = amount;
        const credits: CreditSource[] = [];
        const cash: CashSource[] = [];
        for (const s of available.credits) {
          if (!left.gt(0)) break;
          const take = Dec.min(left, s.amount);
          credits.push({ ...s, amount: take });
          left = left.minus(take);
        }
        for (const s of available.cash) {
          if (!left.gt(0)) break;
          const take = Dec.min(left, s.amount);
          cash.push({ ...s, amount: take });
          left = left.minus(take);
        }
        await em.query(
          `INSERT INTO credit_refunds (id, reseller_id, currency, amount, reference, paid_on, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [id, reseller.id, c, amount.toFixed(), dto.reference, dto.paidOn, createdBy],
        );
        for (const s of credits) {
          await em.query(
            `INSERT INTO credit_refund_parts (refund_id, reseller_id, invoice_id, credit_line, amount) VALUES ($1, $2, $3, $4, $5)`,
            [id, reseller.id, s.invoiceId, s.line, s.amount.toFixed()],
          );
          await this.receivables.payOutCredit(em, {
            invoiceId: s.invoiceId,
            resellerId: reseller.id,
            line: s.line,
            amount: s.amount,
            currency: c,
            date: dto.paidOn,
            source: { type: CREDIT_REFUND_SOURCE, id },
          });
        }
        for (const s of cash) {
          await em.query(
            `WITH p AS (INSERT INTO credit_refund_parts (refund_id, reseller_id, payment_id, amount) VALUES ($1, $2, $3, $4) RETURNING 1),
                  u AS (UPDATE payments SET unapplied = unapplied - $4, refunded = refunded + $4 WHERE id = $3 RETURNING 1)
             INSERT INTO payment_refunds (payment_id, reseller_id, amount, from_unapplied, refunded_on)
             SELECT $3, $2, $4, $4, $5 FROM p, u`,
            [id, reseller.id, s.paymentId, s.amount.toFixed(), dto.paidOn],
          );
        }
        const perLine = Object.fromEntries(CREDIT_LINES.map((l) => [l, sum(credits.filter((s) => s.line === l))])) as Record<
          CreditLine,
          Dec
        >;
        const fromCash = sum(cash);
        await this.ledger.post(em, {
          entryDate: dto.paidOn,
          memo: `Refund of credit balance ${dto.reference}`.slice(0, 500),
          source: { type: CREDIT_REFUND_SOURCE, id },
          createdBy,
          lines: [
            // The credit balance leaves at its carrying value; the cash at today's rate; the rest is 7100 (docs/accounting.md §10).
            ...atCarrying([...receivableDebits(perLine, reseller.id, c), ...debit(AccountCode.UnappliedCash, fromCash, reseller.id, c)]),
            ...credit(AccountCode.Cash, amount, reseller.id, c),
          ],
          fxDifferenceAccount: AccountCode.FxRealised,
        });
        const view: RefundView = {
          id,
          resellerId: reseller.id,
          amount: moneyString(amount, c),
          currency: c,
          reference: dto.reference,
          paidOn: dto.paidOn,
          method: 'BANK_TRANSFER' as const,
          from: this.fromView(credits, cash, c),
        };
        const { id: refundId, ...rest } = view;
        await this.webhooks.enqueue(em, reseller.id, 'refund.paid', { refundId, ...rest });
        return view;
      }),
    );
  }

  private async reseller(id: string) {
    return this.resellers.getReseller(id).catch((e: unknown) => {
      if (e instanceof ProblemError && e.status === 404)
        throw paymentsError(PaymentsErrorCode.UnknownReseller, `Reseller ${id} was not found`);
      throw e;
    });
  }

  /**
   * Unused invoice credits and unapplied bank cash, oldest first (locked with `lock`). Cash of a
   * Stripe payment is refunded through Stripe, not here.
   */
  private async sources(em: EntityManager, resellerId: string, currency: Currency, lock: boolean) {
    const forUpdate = lock ? 'FOR UPDATE' : '';
    const credits: CreditSource[] = await this.receivables.unusedCredits(em, resellerId, currency, lock);
    const pay: Array<{ id: string; unapplied: string }> = await em.query(
      `SELECT id, unapplied::text AS unapplied FROM payments
        WHERE reseller_id = $1 AND currency = $2 AND method = 'BANK_TRANSFER' AND unapplied > 0
        ORDER BY received_on, created_at, id ${forUpdate}`,
      [resellerId, currency],
    );
    return { credits, cash: pay.map((p) => ({ paymentId: p.id, amount: new Dec(p.unapplied) })) };
  }

  private fromView(credits: CreditSource[], cash: CashSource[], c: Currency) {
    return {
      HARDWARE: moneyString(sum(credits.filter((s) => s.line === 'HARDWARE')), c),
      CLOUD: moneyString(sum(credits.filter((s) => s.line === 'CLOUD')), c),
      unappliedCash: moneyString(sum(cash), c),
    };
  }
}

const sum = (xs: Array<{ amount: Dec }>) => xs.reduce((s, x) => s.plus(x.amount), new Dec(0));
const total = (a: Array<{ amount: Dec }>, b: Array<{ amount: Dec }>) => sum(a).plus(sum(b));
