import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, Dec, notFound, retryOnConflict } from '@disty/core';
import { ResellerService } from '@disty/reseller';
import { planImmediateCancellation, planQuantityChange, PlannedAdjustment } from './domain/change-plan';
import { billingPeriods, roundMoney } from './domain/schedule';
import { SubscriptionRow, SubscriptionView } from './dto/subscription.response';
import { subscriptionError, SubscriptionErrorCode } from './errors';
import { returnedRows } from './subscription.sql';
import { NewCharge, SUBSCRIPTION_CHARGE_SOURCE, SubscriptionService } from './subscription.service';

export interface ChangeInput {
  quantity?: number;
  autoRenew?: boolean;
  asOf?: string;
}

export interface CancelInput {
  when: 'END_OF_TERM' | 'IMMEDIATE';
  asOf?: string;
}

/**
 * Seat changes and cancellations. Each use case runs in one transaction holding the
 * subscription's row lock (FOR UPDATE) and the term's scheduled charges' row locks, so concurrent
 * changes serialise and a charge being invoiced (locked by unbilledCharges) is never rewritten.
 */
@Injectable()
export class SubscriptionChangeService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly subscriptions: SubscriptionService,
    private readonly resellers: ResellerService,
    private readonly clock: Clock,
  ) {}

  /**
   * PATCH /subscriptions/:id. A quantity change prorates the rest of the current billing period
   * (charge or credit), reschedules later unbilled periods at the new quantity, and adjusts later
   * periods already invoiced. An increase is checked and reserved on the CLOUD line (gross =
   * net + tax), refused with 422 credit-limit-exceeded when short, changing nothing.
   */
  async change(id: string, resellerScope: string | null, input: ChangeInput, actorId: string | null): Promise<SubscriptionView> {
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        const s = await this.lockSubscription(em, id, resellerScope);
        const date = input.asOf ?? this.clock.today();
        if (input.quantity !== undefined && input.quantity !== s.quantity) {
          await this.changeQuantity(em, s, input.quantity, date, actorId);
        }
        if (input.autoRenew !== undefined && input.autoRenew !== s.auto_renew) {
          if (s.status !== 'ACTIVE') {
            throw subscriptionError(SubscriptionErrorCode.NotActive, `Subscription ${id} is ${s.status}; autoRenew cannot change`);
          }
          await em.query(`UPDATE subscriptions SET auto_renew = $2, updated_at = now() WHERE id = $1`, [id, input.autoRenew]);
          await this.recordChange(em, s, 'AUTO_RENEW', date, null, null, actorId);
        }
        return this.subscriptions.get(id, resellerScope, em);
      }),
    );
  }

  /** POST /subscriptions/:id/cancel. */
  async cancel(id: string, resellerScope: string | null, input: CancelInput, actorId: string | null): Promise<SubscriptionView> {
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        const s = await this.lockSubscription(em, id, resellerScope);
        const date = input.asOf ?? this.clock.today();
        if (input.when === 'END_OF_TERM') {
          if (s.status !== 'ACTIVE') {
            throw subscriptionError(SubscriptionErrorCode.NotActive, `Subscription ${id} is already ${s.status}`);
          }
          this.assertInTerm(s, date);
          await em.query(
            `UPDATE subscriptions SET status = 'CANCELLED', cancel_at_term_end = true, auto_renew = false, updated_at = now() WHERE id = $1`,
            [id],
          );
          await this.recordChange(em, s, 'CANCEL_END_OF_TERM', date, s.quantity, null, actorId);
        } else {
          await this.cancelImmediately(em, s, date, actorId);
        }
        return this.subscriptions.get(id, resellerScope, em);
      }),
    );
  }

  // ---------------------------------------------------------------- quantity

  private async changeQuantity(em: EntityManager, s: SubscriptionRow, newQuantity: number, date: string, actorId: string | null) {
    this.assertRunning(s);
    this.assertInTerm(s, date);
    await this.assertNotBeforeLastChange(em, s, date);
    const termId = await this.currentTermId(em, s);
    const periods = billingPeriods(s.anchor_date, s.term, s.billing_frequency, s.term_no);
    const billed = await this.lockScheduledCharges(em, termId);
    // The quantity at the start of the day: before the first change made that day, if any.
    const [first]: Array<{ old_quantity: number }> = await em.query(
      `SELECT old_quantity FROM subscription_changes
        WHERE subscription_id = $1 AND term_id = $2 AND kind = 'QUANTITY' AND effective_date = $3
        ORDER BY created_at, id LIMIT 1`,
      [s.id, termId, date],
    );
    const unitPrice = new Dec(s.unit_price);
    const plan = planQuantityChange({
      periods, unitPrice, currency: s.currency, date, dayBaseQuantity: first?.old_quantity ?? s.quantity,
      oldQuantity: s.quantity, newQuantity, isBilled: (p) => billed.has(p.start),
    });
    const changeId = await this.recordChange(em, s, 'QUANTITY', date, s.quantity, newQuantity, actorId, termId);
    const delta = newQuantity - s.quantity;
    const chargeIds = await this.insertAdjustments(em, s, termId, plan.adjustments, (a) => ({
      kind: 'PRORATION',
      changeId,
      description: `${s.sku} ${delta > 0 ? '+' : ''}${delta} seats from ${date < a.period.start ? a.period.start : date}, prorated ${a.period.start} to ${a.period.end}`,
    }));
    if (plan.reschedule.length) {
      // Every later period of a term has the same length in months, so the same amount.
      const amount = plan.reschedule[0].amount;
      await em.query(
        `UPDATE subscription_charges
            SET amount = $3, quantity = $4,
                description = $5 || to_char(period_start, 'YYYY-MM-DD') || ' to ' || to_char(period_end, 'YYYY-MM-DD')
          WHERE term_id = $1 AND kind = 'TERM' AND period_start = ANY($2::date[]) AND billed_invoice_id IS NULL AND voided_at IS NULL`,
        [termId, plan.reschedule.map((r) => r.period.start), amount.toFixed(), newQuantity, `${s.sku} × ${newQuantity}, `],
      );
    }
    await em.query(`UPDATE subscriptions SET quantity = $2, updated_at = now() WHERE id = $1`, [s.id, newQuantity]);
    await em.query(`UPDATE subscription_terms SET quantity = $2 WHERE id = $1`, [termId, newQuantity]);

    // An increase is checked and reserved on the CLOUD line, tax included.
    const positive = plan.adjustments
      .map((a, i) => ({ a, id: chargeIds[i] }))
      .filter((x) => x.id && x.a.amount.gt(0));
    if (positive.length) {
      // The term's rate (the rate in force when it started), not the reseller's current one.
      const [{ tax_rate }]: Array<{ tax_rate: string }> = await em.query(`SELECT tax_rate::text AS tax_rate FROM subscription_terms WHERE id = $1`, [termId]);
      const taxRate = new Dec(tax_rate);
      await this.resellers.reserveCreditMany(
        em,
        s.reseller_id,
        positive.map((x) => ({
          line: 'CLOUD' as const,
          amount: x.a.amount.plus(roundMoney(x.a.amount.times(taxRate), s.currency)),
          source: { type: SUBSCRIPTION_CHARGE_SOURCE, id: x.id! },
        })),
      );
    }
  }

  // ---------------------------------------------------------------- cancellation

  private async cancelImmediately(em: EntityManager, s: SubscriptionRow, date: string, actorId: string | null) {
    this.assertRunning(s);
    this.assertInTerm(s, date);
    await this.assertNotBeforeLastChange(em, s, date);
    const termId = await this.currentTermId(em, s);
    const periods = billingPeriods(s.anchor_date, s.term, s.billing_frequency, s.term_no);
    const billed = await this.lockScheduledCharges(em, termId);
    const plan = planImmediateCancellation({
      periods, unitPrice: new Dec(s.unit_price), currency: s.currency, date, quantity: s.quantity,
      isBilled: (p) => billed.has(p.start),
    });
    await this.recordChange(em, s, 'CANCEL_IMMEDIATE', date, s.quantity, 0, actorId, termId);
    await this.insertAdjustments(em, s, termId, plan.credits, (a) => ({
      kind: 'CANCELLATION_CREDIT',
      description: `${s.sku} × ${s.quantity} cancelled ${date}: credit for ${date < a.period.start ? a.period.start : date} to ${a.period.end}`,
    }));
    if (plan.voidPeriods.length) {
      const voided = returnedRows<{ id: string }>(
        await em.query(
          `UPDATE subscription_charges SET voided_at = now()
            WHERE term_id = $1 AND kind = 'TERM' AND period_start = ANY($2::date[]) AND billed_invoice_id IS NULL AND voided_at IS NULL
            RETURNING id`,
          [termId, plan.voidPeriods.map((p) => p.start)],
        ),
      );
      for (const v of voided) await this.resellers.releaseReservation(em, { type: SUBSCRIPTION_CHARGE_SOURCE, id: v.id });
    }
    await em.query(
      `UPDATE subscriptions SET status = 'CANCELLED', cancel_at_term_end = false, auto_renew = false, cancelled_on = $2, updated_at = now()
        WHERE id = $1`,
      [s.id, date],
    );
    await em.query(`UPDATE subscription_terms SET ended_on = $2 WHERE id = $1`, [termId, date]);
  }

  // ---------------------------------------------------------------- helpers

  private async insertAdjustments(
    em: EntityManager,
    s: SubscriptionRow,
    termId: string,
    adjustments: PlannedAdjustment[],
    meta: (a: PlannedAdjustment) => { kind: 'PRORATION' | 'CANCELLATION_CREDIT'; changeId?: string; description: string },
  ): Promise<Array<string | null>> {
    // A zero amount (a same-day change that nets out, or a price of zero) is not worth an invoice line.
    const rows = adjustments.map((a) => ({ a, keep: !a.amount.isZero() }));
    const charges: NewCharge[] = rows
      .filter((r) => r.keep)
      .map(({ a }) => ({
        resellerId: s.reseller_id, subscriptionId: s.id, termId, sku: s.sku, periodStart: a.period.start, periodEnd: a.period.end,
        quantity: a.deltaQuantity, unitPrice: new Dec(s.unit_price), amount: a.amount, currency: s.currency, ...meta(a),
      }));
    const ids = await this.subscriptions.insertCharges(em, charges);
    if (ids.some((x) => !x)) {
      throw subscriptionError(SubscriptionErrorCode.ChangeOutOfOrder, `Subscription ${s.id} was already credited for that period`);
    }
    let k = 0;
    return rows.map((r) => (r.keep ? ids[k++] : null));
  }

  private async lockSubscription(em: EntityManager, id: string, resellerScope: string | null): Promise<SubscriptionRow> {
    const s = await this.subscriptions.findRow(em, id, resellerScope, true);
    if (!s) throw notFound(`Subscription ${id}`);
    return s;
  }

  private assertRunning(s: SubscriptionRow) {
    const running = s.status === 'ACTIVE' || (s.status === 'CANCELLED' && s.cancel_at_term_end);
    if (!running) throw subscriptionError(SubscriptionErrorCode.NotActive, `Subscription ${s.id} is ${s.status}`);
  }

  private assertInTerm(s: SubscriptionRow, date: string) {
    if (date < s.term_start) {
      throw subscriptionError(SubscriptionErrorCode.DateOutsideTerm, `${date} is before the current term, which starts ${s.term_start}`);
    }
    if (date > s.term_end) {
      throw subscriptionError(
        SubscriptionErrorCode.TermEnded,
        `The current term ended ${s.term_end}; ${s.status === 'ACTIVE' ? 'its renewal is pending' : 'the subscription is over'}`,
      );
    }
  }

  private async assertNotBeforeLastChange(em: EntityManager, s: SubscriptionRow, date: string) {
    const [{ last }] = await em.query(
      `SELECT to_char(max(effective_date), 'YYYY-MM-DD') AS last FROM subscription_changes
        WHERE subscription_id = $1 AND kind IN ('QUANTITY','CANCEL_IMMEDIATE')`,
      [s.id],
    );
    if (last && date < last) {
      throw subscriptionError(SubscriptionErrorCode.ChangeOutOfOrder, `A change dated ${last} exists; changes cannot be back-dated before it`);
    }
  }

  private async currentTermId(em: EntityManager, s: SubscriptionRow): Promise<string> {
    const [t]: Array<{ id: string }> = await em.query(`SELECT id FROM subscription_terms WHERE subscription_id = $1 AND term_no = $2`, [
      s.id, s.term_no,
    ]);
    return t.id;
  }

  /** Locks the term's scheduled charges and returns the period starts already invoiced. */
  private async lockScheduledCharges(em: EntityManager, termId: string): Promise<Set<string>> {
    const rows: Array<{ period_start: string; billed: boolean }> = await em.query(
      `SELECT to_char(period_start, 'YYYY-MM-DD') AS period_start, billed_invoice_id IS NOT NULL AS billed
         FROM subscription_charges WHERE term_id = $1 AND kind = 'TERM' ORDER BY period_start FOR UPDATE`,
      [termId],
    );
    return new Set(rows.filter((r) => r.billed).map((r) => r.period_start));
  }

  private async recordChange(
    em: EntityManager, s: SubscriptionRow, kind: string, date: string, oldQuantity: number | null, newQuantity: number | null,
    actorId: string | null, termId?: string,
  ): Promise<string> {
    const [row]: Array<{ id: string }> = await em.query(
      `INSERT INTO subscription_changes (subscription_id, term_id, reseller_id, kind, effective_date, old_quantity, new_quantity, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, clock_timestamp()) RETURNING id`,
      [s.id, termId ?? (await this.currentTermId(em, s)), s.reseller_id, kind, date, oldQuantity, newQuantity, actorId],
    );
    return row.id;
  }
}
