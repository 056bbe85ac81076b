// Owns a seat change's and a cancellation's updates to subscriptions, subscription_terms and their scheduled charges; their records (subscription_changes, dated scheduled changes) are ChangeRecordService's, the adjustment charges ChangeChargesService's.
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Dec, notFound, roundMoney } from '#disty/core';
import { ChangeChargesService } from './change-charges.service';
import { ChangeDatePolicy, DateAuthority } from './change-date.policy';
import { assertInTerm, assertRunning, ChangeRecordService } from './change-record.service';
import { CommitmentWindowPolicy } from './commitment-window.policy';
import { CreditReservationService } from '#disty/reseller';
import { planImmediateCancellation, planQuantityChange } from './domain/change-plan';
import { billingPeriods, periodCost } from './domain/schedule';
import { SubscriptionRow } from './subscription.sql';
import { subscriptionError, SubscriptionErrorCode } from './errors';
import { returnedRows } from './subscription.sql';
import { SUBSCRIPTION_CHARGE_SOURCE, SubscriptionService } from './subscription.service';

export interface ChangeInput {
  quantity?: number;
  autoRenew?: boolean;
  asOf?: string;
  /** Required when a distributor back-dates (asOf before today), or overrides a commitment window. */
  reason?: string;
  /** A distributor admin's override of a closed commitment window (docs/commitments.md), with a reason. */
  override?: boolean;
}

export interface CancelInput {
  when: 'END_OF_TERM' | 'IMMEDIATE';
  asOf?: string;
  reason?: string;
  override?: boolean;
}

/** Who changes: their user id and whether they are distributor staff (who alone may back-date). */
export interface ChangeActor {
  id: string | null;
  authority: DateAuthority;
  /** A distributor admin, who alone may override a closed commitment window. */
  mayOverrideCommitment?: boolean;
}

/**
 * A credit a back-dated change owes for service already invoiced: it must come out as a credit
 * note against the invoice(s) that billed the period, never as a negative line on a later
 * invoice. `billedChargeIds` are the period's invoiced charges (its TERM charge first, then earlier
 * increases), to credit in that order.
 */
export interface InvoicedCredit {
  subscriptionId: string;
  period: { start: string; end: string };
  /** Net amount to credit (positive), rounded to minor units. */
  net: Dec;
  billedChargeIds: string[];
  currency: string;
  description: string;
  /** The subscription change (subscription_changes row) that owes the credit. */
  changeId: string;
}

export interface ChangeOutcome {
  /** Credits for invoiced service, for the caller to issue as credit notes in the same transaction. */
  invoicedCredits: InvoicedCredit[];
}

/** A scheduled change row as the renewal job applies it. */
export interface DueScheduledChange {
  id: string;
  subscription_id: string;
  kind: 'QUANTITY' | 'CANCEL_IMMEDIATE';
  new_quantity: number | null;
  effective_date: string;
  created_by: string | null;
}

interface ChangeOptions {
  reason: string | null;
  /** Back-dated by distributor staff: credits for invoiced periods go out as credit notes. */
  creditInvoiced: boolean;
  scheduledChangeId?: string;
}

/**
 * Seat changes and cancellations. Each use case runs in one transaction holding the
 * subscription's row lock (FOR UPDATE) and the term's scheduled charges' row locks, so concurrent
 * changes serialise and a charge being invoiced (locked by takeUnbilledCharges in a billing
 * run) is never rewritten.
 */
@Injectable()
export class SubscriptionChangeService {
  constructor(
    private readonly subscriptions: SubscriptionService,
    private readonly charges: ChangeChargesService,
    private readonly credit: CreditReservationService,
    private readonly dates: ChangeDatePolicy,
    private readonly commitments: CommitmentWindowPolicy,
    private readonly records: ChangeRecordService,
  ) {}

  /**
   * PATCH /subscriptions/:id, in the caller's transaction. A quantity change dated today prorates
   * the rest of the current billing period (charge or credit), reschedules later unbilled periods
   * at the new quantity, and adjusts later periods already invoiced. An increase is checked and
   * reserved on the CLOUD line (gross = net + tax), refused with 422 credit-limit-exceeded when
   * short, changing nothing. A later asOf is stored as a scheduled change (the subscription is
   * unchanged until the renewal job applies it on that date); an earlier one is refused for
   * reseller users and, for distributor staff, needs a reason and open months, and returns the
   * credits owed for invoiced service for the caller to issue as credit notes.
   */
  async changeIn(
    em: EntityManager,
    id: string,
    resellerScope: string | null,
    input: ChangeInput,
    actor: ChangeActor,
  ): Promise<ChangeOutcome> {
    const outcome: ChangeOutcome = { invoicedCredits: [] };
    const s = await this.records.lock(em, id, resellerScope);
    const quantityChanges = input.quantity !== undefined && input.quantity !== s.quantity;
    const timing = await this.dates.classify(em, input.asOf, actor.authority, input.reason);
    if (quantityChanges || (timing.kind === 'SCHEDULED' && input.quantity !== undefined)) {
      // A decrease is held by the product's commitment window (docs/commitments.md); nothing is written when refused.
      const override =
        input.quantity! < s.quantity
          ? await this.commitments.check(em, s, {
              timing: timing.kind,
              date: timing.date,
              override: input.override,
              reason: input.reason,
              mayOverride: !!actor.mayOverrideCommitment,
              quantity: input.quantity,
            })
          : null;
      if (timing.kind === 'SCHEDULED') {
        await this.records.schedule(em, s, 'QUANTITY', input.quantity!, timing.date, actor.id);
      } else {
        outcome.invoicedCredits = await this.changeQuantity(em, s, input.quantity!, timing.date, actor.id, {
          reason: timing.kind === 'BACKDATED' ? timing.reason : null,
          creditInvoiced: timing.kind === 'BACKDATED',
        });
        await this.records.recordOverride(em, s, override, actor.id);
      }
    }
    if (input.autoRenew !== undefined && input.autoRenew !== s.auto_renew) {
      if (s.status !== 'ACTIVE') {
        throw subscriptionError(SubscriptionErrorCode.NotActive, `Subscription ${id} is ${s.status}; autoRenew cannot change`);
      }
      await em.query(`UPDATE subscriptions SET auto_renew = $2, updated_at = now() WHERE id = $1`, [id, input.autoRenew]);
      await this.records.record(em, s, 'AUTO_RENEW', this.dates.today(), null, null, actor.id);
    }
    return outcome;
  }

  /** POST /subscriptions/:id/cancel, in the caller's transaction; dates as in changeIn. */
  async cancelIn(
    em: EntityManager,
    id: string,
    resellerScope: string | null,
    input: CancelInput,
    actor: ChangeActor,
  ): Promise<ChangeOutcome> {
    const outcome: ChangeOutcome = { invoicedCredits: [] };
    const s = await this.records.lock(em, id, resellerScope);
    const timing = await this.dates.classify(em, input.asOf, actor.authority, input.reason);
    if (input.when === 'END_OF_TERM') {
      if (s.status !== 'ACTIVE') {
        throw subscriptionError(SubscriptionErrorCode.NotActive, `Subscription ${id} is already ${s.status}`);
      }
      // Takes effect at the term's end whatever the date; asOf only dates the request.
      assertInTerm(s, timing.date);
      await em.query(
        `UPDATE subscriptions SET status = 'CANCELLED', cancel_at_term_end = true, auto_renew = false, updated_at = now() WHERE id = $1`,
        [id],
      );
      await this.records.record(
        em,
        s,
        'CANCEL_END_OF_TERM',
        timing.date,
        s.quantity,
        null,
        actor.id,
        undefined,
        timing.kind === 'BACKDATED' ? timing.reason : null,
      );
    } else {
      // An immediate cancellation is held by the commitment window; one at the term's end is not (docs/commitments.md).
      const override = await this.commitments.check(em, s, {
        timing: timing.kind,
        date: timing.date,
        override: input.override,
        reason: input.reason,
        mayOverride: !!actor.mayOverrideCommitment,
      });
      if (timing.kind === 'SCHEDULED') {
        assertRunning(s);
        await this.records.schedule(em, s, 'CANCEL_IMMEDIATE', null, timing.date, actor.id);
      } else {
        outcome.invoicedCredits = await this.cancelImmediately(em, s, timing.date, actor.id, {
          reason: timing.kind === 'BACKDATED' ? timing.reason : null,
          creditInvoiced: timing.kind === 'BACKDATED',
        });
        await this.records.recordOverride(em, s, override, actor.id);
      }
    }
    return outcome;
  }

  /** Withdraws a PENDING scheduled change (it becomes CANCELLED; nothing else changes), in the caller's transaction. */
  async withdrawScheduledIn(em: EntityManager, id: string, resellerScope: string | null, scheduledChangeId: string): Promise<void> {
    const s = await this.records.lock(em, id, resellerScope);
    const done = returnedRows<{ id: string }>(
      await em.query(
        `UPDATE subscription_scheduled_changes SET status = 'CANCELLED', resolved_at = now()
          WHERE id = $1 AND subscription_id = $2 AND status = 'PENDING' RETURNING id`,
        [scheduledChangeId, s.id],
      ),
    );
    if (!done.length) throw notFound(`Pending scheduled change ${scheduledChangeId} of subscription ${id}`);
  }

  /** The renewal job: applies one due scheduled change on its effective date, in the caller's transaction. */
  async applyScheduled(em: EntityManager, c: DueScheduledChange): Promise<void> {
    const s = await this.records.lock(em, c.subscription_id, null);
    const opts = { reason: null, creditInvoiced: false, scheduledChangeId: c.id };
    if (c.kind === 'QUANTITY') {
      if (c.new_quantity !== s.quantity) await this.changeQuantity(em, s, c.new_quantity!, c.effective_date, c.created_by, opts);
    } else {
      await this.cancelImmediately(em, s, c.effective_date, c.created_by, opts);
    }
  }

  // ---------------------------------------------------------------- quantity

  private async changeQuantity(
    em: EntityManager,
    s: SubscriptionRow,
    newQuantity: number,
    date: string,
    actorId: string | null,
    opts: ChangeOptions,
  ): Promise<InvoicedCredit[]> {
    assertRunning(s);
    assertInTerm(s, date);
    await this.records.assertNotBeforeLastChange(em, s, date);
    const { id: termId, taxRate } = await this.records.currentTerm(em, s);
    const periods = billingPeriods(s.anchor_date, s.term, s.billing_frequency, s.term_no - s.anchor_term_no);
    const billed = await this.charges.lockScheduledCharges(em, termId);
    // The quantity at the start of the day: before the first change made that day, if any.
    const first = await this.records.dayBaseQuantity(em, s, termId, date);
    const unitPrice = new Dec(s.unit_price);
    const plan = planQuantityChange({
      periods,
      unitPrice,
      currency: s.currency,
      date,
      dayBaseQuantity: first ?? s.quantity,
      oldQuantity: s.quantity,
      newQuantity,
      isBilled: (p) => billed.has(p.start),
    });
    const changeId = await this.records.record(
      em,
      s,
      'QUANTITY',
      date,
      s.quantity,
      newQuantity,
      actorId,
      termId,
      opts.reason,
      opts.scheduledChangeId,
    );
    const delta = newQuantity - s.quantity;
    const { charged, invoicedCredits } = await this.charges.splitInvoicedCredits(
      em,
      s,
      termId,
      changeId,
      date,
      plan.adjustments,
      billed,
      opts,
      (a) =>
        `${s.sku} ${delta} seats from ${date < a.period.start ? a.period.start : date} (back-dated), ${a.period.start} to ${a.period.end}`,
    );
    const chargeIds = await this.charges.insertAdjustments(em, s, termId, charged, (a) => ({
      kind: 'PRORATION',
      changeId,
      description: `${s.sku} ${delta > 0 ? '+' : ''}${delta} seats from ${date < a.period.start ? a.period.start : date}, prorated ${a.period.start} to ${a.period.end}`,
    }));
    if (plan.reschedule.length) {
      // Every later period of a term has the same length in months, so the same amount (and cost).
      const amount = plan.reschedule[0].amount;
      const cost = periodCost(s.unit_cost == null ? null : new Dec(s.unit_cost), plan.reschedule[0].period.months, newQuantity, s.currency);
      await em.query(
        `UPDATE subscription_charges
            SET amount = $3, quantity = $4, cost = $6,
                description = $5 || to_char(period_start, 'YYYY-MM-DD') || ' to ' || to_char(period_end, 'YYYY-MM-DD')
          WHERE term_id = $1 AND kind = 'TERM' AND period_start = ANY($2::date[]) AND billed_invoice_id IS NULL AND voided_at IS NULL`,
        [
          termId,
          plan.reschedule.map((r) => r.period.start),
          amount.toFixed(),
          newQuantity,
          `${s.sku} × ${newQuantity}, `,
          cost?.toFixed() ?? null,
        ],
      );
    }
    await em.query(`UPDATE subscriptions SET quantity = $2, updated_at = now() WHERE id = $1`, [s.id, newQuantity]);
    await em.query(`UPDATE subscription_terms SET quantity = $2 WHERE id = $1`, [termId, newQuantity]);

    // An increase is checked and reserved on the CLOUD line, tax included.
    const positive = charged.map((a, i) => ({ a, id: chargeIds[i] })).filter((x) => x.id && x.a.amount.gt(0));
    if (positive.length) {
      // At the term's rate (the rate in force when it started), not the reseller's current one.
      await this.credit.reserveCreditMany(
        em,
        s.reseller_id,
        positive.map((x) => ({
          line: 'CLOUD' as const,
          amount: x.a.amount.plus(roundMoney(x.a.amount.times(taxRate), s.currency)),
          source: { type: SUBSCRIPTION_CHARGE_SOURCE, id: x.id! },
        })),
      );
    }
    return invoicedCredits;
  }

  // ---------------------------------------------------------------- cancellation

  private async cancelImmediately(
    em: EntityManager,
    s: SubscriptionRow,
    date: string,
    actorId: string | null,
    opts: ChangeOptions,
  ): Promise<InvoicedCredit[]> {
    assertRunning(s);
    assertInTerm(s, date);
    await this.records.assertNotBeforeLastChange(em, s, date);
    const termId = await this.records.currentTermId(em, s);
    const periods = billingPeriods(s.anchor_date, s.term, s.billing_frequency, s.term_no - s.anchor_term_no);
    const billed = await this.charges.lockScheduledCharges(em, termId);
    const plan = planImmediateCancellation({
      periods,
      unitPrice: new Dec(s.unit_price),
      currency: s.currency,
      date,
      quantity: s.quantity,
      isBilled: (p) => billed.has(p.start),
    });
    const changeId = await this.records.record(
      em,
      s,
      'CANCEL_IMMEDIATE',
      date,
      s.quantity,
      0,
      actorId,
      termId,
      opts.reason,
      opts.scheduledChangeId,
    );
    const { charged, invoicedCredits } = await this.charges.splitInvoicedCredits(
      em,
      s,
      termId,
      changeId,
      date,
      plan.credits,
      billed,
      opts,
      (a) =>
        `${s.sku} × ${s.quantity} cancelled ${date} (back-dated): credit for ${date < a.period.start ? a.period.start : date} to ${a.period.end}`,
    );
    await this.charges.insertAdjustments(em, s, termId, charged, (a) => ({
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
      for (const v of voided) await this.credit.releaseReservation(em, { type: SUBSCRIPTION_CHARGE_SOURCE, id: v.id });
    }
    await em.query(
      `UPDATE subscriptions SET status = 'CANCELLED', cancel_at_term_end = false, auto_renew = false, cancelled_on = $2, updated_at = now()
        WHERE id = $1`,
      [s.id, date],
    );
    await em.query(`UPDATE subscription_terms SET ended_on = $2 WHERE id = $1`, [termId, date]);
    return invoicedCredits;
  }
}
