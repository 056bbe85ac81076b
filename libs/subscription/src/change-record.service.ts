// Owns subscription_changes and the dated (QUANTITY, CANCEL_IMMEDIATE) subscription_scheduled_changes: each change's record, its override, their order.
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { addMonthsClamped, Dec, notFound } from '#disty/core';
import { ChangeDatePolicy } from './change-date.policy';
import { CommitmentOverride } from './commitment-window.policy';
import { subscriptionError, SubscriptionErrorCode } from './errors';
import { SubscriptionRow } from './subscription.sql';
import { SubscriptionService } from './subscription.service';

/** How far ahead a change may be scheduled. */
const MAX_SCHEDULE_MONTHS = 36;

/** What a seat change or cancellation records, and the checks on the subscription it locks; the change itself is SubscriptionChangeService's. */
@Injectable()
export class ChangeRecordService {
  constructor(
    private readonly subscriptions: SubscriptionService,
    private readonly dates: ChangeDatePolicy,
  ) {}

  /** The subscription, locked FOR UPDATE (404 when not in the scope). */
  async lock(em: EntityManager, id: string, resellerScope: string | null): Promise<SubscriptionRow> {
    const s = await this.subscriptions.findRow(em, id, resellerScope, true);
    if (!s) throw notFound(`Subscription ${id}`);
    return s;
  }

  /** Stores a change dated after today, applied by the renewal job on its date. */
  async schedule(
    em: EntityManager,
    s: SubscriptionRow,
    kind: 'QUANTITY' | 'CANCEL_IMMEDIATE',
    newQuantity: number | null,
    date: string,
    actorId: string | null,
  ): Promise<void> {
    assertRunning(s);
    if (date > addMonthsClamped(this.dates.today(), MAX_SCHEDULE_MONTHS)) {
      throw subscriptionError(
        SubscriptionErrorCode.DateOutsideTerm,
        `A change may be scheduled at most ${MAX_SCHEDULE_MONTHS} months ahead`,
      );
    }
    await em.query(
      `INSERT INTO subscription_scheduled_changes (subscription_id, reseller_id, kind, new_quantity, effective_date, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp())`,
      [s.id, s.reseller_id, kind, newQuantity, date, actorId],
    );
  }

  /** The quantity at the start of `date`: before the first change made that day, if any (else null). */
  async dayBaseQuantity(em: EntityManager, s: SubscriptionRow, termId: string, date: string): Promise<number | null> {
    const [first]: Array<{ old_quantity: number }> = await em.query(
      `SELECT old_quantity FROM subscription_changes
        WHERE subscription_id = $1 AND term_id = $2 AND kind = 'QUANTITY' AND effective_date = $3
        ORDER BY created_at, id LIMIT 1`,
      [s.id, termId, date],
    );
    return first?.old_quantity ?? null;
  }

  /** Marks the change just recorded (the subscription's latest) with the admin's commitment-window override. */
  async recordOverride(em: EntityManager, s: SubscriptionRow, override: CommitmentOverride | null, actorId: string | null) {
    if (!override) return;
    await em.query(
      `UPDATE subscription_changes SET override_reason = $2, override_by = $3
        WHERE id = (SELECT id FROM subscription_changes WHERE subscription_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1)`,
      [s.id, override.reason, actorId],
    );
  }

  async assertNotBeforeLastChange(em: EntityManager, s: SubscriptionRow, date: string) {
    const [{ last }] = await em.query(
      `SELECT to_char(max(effective_date), 'YYYY-MM-DD') AS last FROM subscription_changes
        WHERE subscription_id = $1 AND kind IN ('QUANTITY','CANCEL_IMMEDIATE')`,
      [s.id],
    );
    if (last && date < last) {
      throw subscriptionError(
        SubscriptionErrorCode.ChangeOutOfOrder,
        `A change dated ${last} exists; changes cannot be back-dated before it`,
      );
    }
  }

  async currentTermId(em: EntityManager, s: SubscriptionRow): Promise<string> {
    return (await this.currentTerm(em, s)).id;
  }

  /** The running term's id and the tax rate in force when it started. */
  async currentTerm(em: EntityManager, s: SubscriptionRow): Promise<{ id: string; taxRate: Dec }> {
    const [t]: Array<{ id: string; tax_rate: string }> = await em.query(
      `SELECT id, tax_rate::text AS tax_rate FROM subscription_terms WHERE subscription_id = $1 AND term_no = $2`,
      [s.id, s.term_no],
    );
    return { id: t.id, taxRate: new Dec(t.tax_rate) };
  }

  async record(
    em: EntityManager,
    s: SubscriptionRow,
    kind: string,
    date: string,
    oldQuantity: number | null,
    newQuantity: number | null,
    actorId: string | null,
    termId?: string,
    reason: string | null = null,
    scheduledChangeId: string | null = null,
  ): Promise<string> {
    const [row]: Array<{ id: string }> = await em.query(
      `INSERT INTO subscription_changes (subscription_id, term_id, reseller_id, kind, effective_date, old_quantity, new_quantity, created_by,
                                         created_at, reason, scheduled_change_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, clock_timestamp(), $9, $10) RETURNING id`,
      [
        s.id,
        termId ?? (await this.currentTermId(em, s)),
        s.reseller_id,
        kind,
        date,
        oldQuantity,
        newQuantity,
        actorId,
        reason,
        scheduledChangeId,
      ],
    );
    return row.id;
  }
}

/** A change needs a running subscription: active, or cancelled at the term's end. */
export function assertRunning(s: SubscriptionRow): void {
  const running = s.status === 'ACTIVE' || (s.status === 'CANCELLED' && s.cancel_at_term_end);
  if (!running) throw subscriptionError(SubscriptionErrorCode.NotActive, `Subscription ${s.id} is ${s.status}`);
}

/** A change is dated within the current term. */
export function assertInTerm(s: SubscriptionRow, date: string): void {
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
