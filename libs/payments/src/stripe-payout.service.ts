import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { Dec, moneyString, ProblemError } from '#disty/core';
import { AccountCode, LedgerService } from '#disty/ledger';
import { paymentsError, PaymentsErrorCode } from './errors';
import { currencyOf, eventDate, lateNote, recordStripeEvent, toMajor, unixDate } from './stripe-events';
import { StripeGateway } from './stripe.gateway';

/**
 * Owns `stripe_payouts`: Stripe sweeping its balance into the bank (`payout.paid`). One entry per
 * payout (source `stripe_payout`, the payout id): debit 1000 the amount that arrived, debit 6100
 * the payout's own fee (from its balance transaction, when Stripe charges one), credit 1050 both.
 * A payout is not any reseller's: its lines carry no reseller, and reconciliation compares them
 * with this table (docs/accounting.md §6).
 */
@Injectable()
export class StripePayoutService {
  private readonly logger = new Logger('StripePayoutService');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly stripe: StripeGateway,
    private readonly ledger: LedgerService,
  ) {}

  async payoutPaid(event: Stripe.Event, payout: Stripe.Payout): Promise<{ outcome: string }> {
    const c = currencyOf(payout.currency);
    if (!c || !(typeof payout.amount === 'number' && payout.amount > 0)) {
      const why = `payout ${payout.id} has no amount in a known currency`;
      this.logger.warn(`Stripe event ${event.id} ignored: ${why}`);
      await recordStripeEvent(this.db.manager, event, null, `ignored: ${why}`);
      return { outcome: `ignored: ${why}` };
    }
    const amount = toMajor(payout.amount, c);
    const fee = await this.feeOf(payout, c);
    // The day it reached the bank (never after the event announcing it).
    const arrival = typeof payout.arrival_date === 'number' ? unixDate(payout.arrival_date) : eventDate(event);
    const occurredOn = arrival < eventDate(event) ? arrival : eventDate(event);
    return this.db.transaction(async (em) => {
      if (!(await recordStripeEvent(em, event, null, 'recorded'))) return { outcome: 'duplicate' };
      const date = await this.ledger.postingDateFor(occurredOn, em);
      const inserted: unknown[] = await em.query(
        `INSERT INTO stripe_payouts (id, currency, amount, fee, arrival_date, posted_on, stripe_event_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [payout.id, c, amount.toFixed(), fee.toFixed(), occurredOn, date, event.id],
      );
      if (!inserted.length) {
        await em.query(`UPDATE stripe_events SET outcome = 'duplicate: payout already recorded' WHERE id = $1`, [event.id]);
        return { outcome: 'duplicate' };
      }
      await this.ledger.post(em, {
        entryDate: date,
        memo: `Stripe payout ${payout.id} of ${moneyString(amount, c)} ${c}${lateNote(occurredOn, date)}`,
        source: { type: 'stripe_payout', id: payout.id },
        lines: [
          { accountCode: AccountCode.Cash, currency: c, debit: amount },
          ...(fee.gt(0) ? [{ accountCode: AccountCode.ProcessingFees, currency: c, debit: fee }] : []),
          { accountCode: AccountCode.StripeClearing, currency: c, credit: amount.plus(fee) },
        ],
      });
      return { outcome: 'recorded' };
    });
  }

  /** The payout's fee from its balance transaction (0 when it has none or it is in another currency). */
  private async feeOf(payout: Stripe.Payout, c: NonNullable<ReturnType<typeof currencyOf>>): Promise<Dec> {
    let bt = payout.balance_transaction as Stripe.BalanceTransaction | string | null | undefined;
    if (!bt) return new Dec(0);
    try {
      if (typeof bt === 'string') bt = await this.stripe.client().balanceTransactions.retrieve(bt);
    } catch (e) {
      if (e instanceof ProblemError) throw e;
      throw paymentsError(
        PaymentsErrorCode.StripeUnavailable,
        `Stripe request failed: ${String((e as Error).message ?? e)
          .split('\n')[0]
          .slice(0, 200)}`,
      );
    }
    return typeof bt.fee === 'number' && currencyOf(bt.currency) === c ? toMajor(bt.fee, c) : new Dec(0);
  }
}
