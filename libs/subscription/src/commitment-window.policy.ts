import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock, coreError, CoreErrorCode, validationError } from '#disty/core';
import { subscriptionError, SubscriptionErrorCode } from './errors';
import { SubscriptionRow } from './subscription.sql';

/** What a decrease or cancellation asks of the commitment rules. */
export interface CommitmentRequest {
  /** 'TODAY': now; 'BACKDATED' / 'SCHEDULED': the start (UTC) of `date`. */
  timing: 'TODAY' | 'BACKDATED' | 'SCHEDULED';
  date: string;
  override?: boolean;
  reason?: string;
  /** Only a distributor admin may override a closed window. */
  mayOverride: boolean;
  /** For the hint: the seat count asked for (absent for a cancellation). */
  quantity?: number;
}

/** An override that let a change through a closed window: recorded on the change row. */
export interface CommitmentOverride {
  reason: string;
}

/**
 * The commitment window (docs/commitments.md): a seat decrease or a cancellation of a subscription
 * whose product's rule pack has a window is allowed only within `windowHours` after the latest of
 * the purchase, the current term's start (renewal) and the latest seat addition. Each of those is
 * the moment it was recorded when that happened on its own effective date, else the start of that
 * date (UTC). A change taking effect after the current term (at renewal) is not held by the window.
 */
@Injectable()
export class CommitmentWindowPolicy {
  constructor(private readonly clock: Clock) {}

  /**
   * Throws 422 outside-commitment-window when the window is closed and no admin override applies;
   * returns the override to record when one let the change through, else null. Writes nothing.
   */
  async check(em: EntityManager, s: SubscriptionRow, req: CommitmentRequest): Promise<CommitmentOverride | null> {
    if (req.override) {
      if (!req.mayOverride) throw coreError(CoreErrorCode.Forbidden, 'Only a distributor admin may override a commitment window');
      if (req.timing === 'SCHEDULED') {
        throw validationError('An override applies to a change taking effect today or back-dated, not to a scheduled one', [
          { field: 'override', message: 'applies to changes effective today or back-dated' },
        ]);
      }
      if (!req.reason?.trim()) {
        throw validationError('An override of the commitment window needs a reason', [
          { field: 'reason', message: 'is required with override' },
        ]);
      }
    }
    if (req.date > s.term_end) return null;
    // subscription_commitment_windows has a row only where the product's pack has a window, and
    // computes the close from the three anchors (docs/commitments.md); the renewal desk shows the same column.
    const [w]: Array<{ commitment_pack: string; window_hours: number; window_closes_at: Date }> = await em.query(
      `SELECT commitment_pack, window_hours, window_closes_at FROM subscription_commitment_windows WHERE subscription_id = $1`,
      [s.id],
    );
    if (!w) return null;
    const rules = { code: w.commitment_pack, windowHours: w.window_hours };
    const closesAt = new Date(w.window_closes_at);
    const moment = req.timing === 'TODAY' ? this.clock.now() : new Date(`${req.date}T00:00:00Z`);
    if (moment.getTime() <= closesAt.getTime()) return null;
    if (req.override) return { reason: req.reason!.trim() };
    const what = req.quantity === undefined ? 'cancelled' : 'decreased';
    throw subscriptionError(
      SubscriptionErrorCode.OutsideCommitmentWindow,
      `Subscription ${s.id} (${s.sku}, commitment pack ${rules.code}) may be ${what} only within ${rules.windowHours} hours of its purchase, ` +
        `renewal or latest seat addition; that window closed ${closesAt.toISOString()}. Schedule the change for the renewal instead.`,
      {
        windowClosedAt: closesAt.toISOString(),
        commitmentPack: rules.code,
        alternative: 'scheduled-change',
        hint: {
          method: 'POST',
          path: `/api/v1/subscriptions/${s.id}/scheduled-changes`,
          body: { at: 'RENEWAL', ...(req.quantity === undefined ? {} : { quantity: req.quantity }) },
          renewalDate: s.term_end,
          ...(req.quantity === undefined
            ? {
                cancelAtTermEnd: {
                  method: 'POST',
                  path: `/api/v1/subscriptions/${s.id}/cancel`,
                  body: { when: 'END_OF_TERM' },
                },
              }
            : {}),
        },
      },
    );
  }
}
