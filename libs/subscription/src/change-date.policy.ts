import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { addMonthsClamped, Clock, ProblemError, validationError } from '#disty/core';
import { LedgerService } from '#disty/ledger';
import { subscriptionError, SubscriptionErrorCode } from './errors';

/** Who asks: a reseller's user, or distributor staff (admin, finance). */
export type DateAuthority = 'RESELLER' | 'DISTRIBUTOR';

/** How a requested date relates to the server's today. */
export type ChangeTiming =
  { kind: 'TODAY'; date: string } | { kind: 'SCHEDULED'; date: string } | { kind: 'BACKDATED'; date: string; reason: string };

/** How far ahead a reseller may start a subscription. */
export const RESELLER_START_DATE_MONTHS_AHEAD = 12;

/**
 * The date rules of subscription changes and start dates (docs/money-integrity.md, "Dates"):
 * "today" is the server's Clock, never the request's. A reseller's change takes effect today, or
 * is scheduled for a later date; only distributor staff may back-date, with a reason, and only
 * into months the ledger has not closed. A reseller starts a subscription from today to a year
 * ahead; distributor staff may also start one in an open past month.
 */
@Injectable()
export class ChangeDatePolicy {
  constructor(
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
  ) {}

  today(): string {
    return this.clock.today();
  }

  async classify(em: EntityManager, asOf: string | undefined, authority: DateAuthority, reason: string | undefined): Promise<ChangeTiming> {
    const today = this.clock.today();
    const date = asOf ?? today;
    if (date === today) return { kind: 'TODAY', date };
    if (date > today) return { kind: 'SCHEDULED', date };
    if (authority !== 'DISTRIBUTOR') {
      throw subscriptionError(
        SubscriptionErrorCode.BackdatingNotAllowed,
        `asOf ${date} is before today (${today}): a change takes effect today, or on a later date as a scheduled change`,
        { asOf: date, today },
      );
    }
    const why = reason?.trim();
    if (!why) {
      throw validationError(`A back-dated change (asOf ${date}, before ${today}) needs a reason`, [
        { field: 'reason', message: 'is required when asOf is before today' },
      ]);
    }
    await this.assertOpenSince(em, date, 'asOf');
    return { kind: 'BACKDATED', date, reason: why };
  }

  /** A new subscription's start date, by who places the order. `field` names it in the error. */
  async checkStartDate(em: EntityManager, startDate: string, authority: DateAuthority, field: string): Promise<void> {
    const today = this.clock.today();
    if (authority === 'RESELLER') {
      const latest = addMonthsClamped(today, RESELLER_START_DATE_MONTHS_AHEAD);
      if (startDate < today || startDate > latest) {
        throw startDateError(`${field} ${startDate} must be from today (${today}) to ${latest}`, field, {
          earliest: today,
          latest,
        });
      }
      return;
    }
    if (startDate < today) await this.assertOpenSince(em, startDate, field);
  }

  private async assertOpenSince(em: EntityManager, date: string, field: string): Promise<void> {
    const closed = await this.ledger.closedPeriodSince(date, em);
    if (closed) {
      throw subscriptionError(
        SubscriptionErrorCode.PeriodClosed,
        `${field} ${date} reaches into ${closed}, a closed accounting month; back-dating is allowed only within open months`,
        { field, period: closed },
      );
    }
  }
}

function startDateError(detail: string, field: string, ext: Record<string, unknown>): ProblemError {
  const e = subscriptionError(SubscriptionErrorCode.StartDateOutOfRange, detail, { field, ...ext });
  return new ProblemError(e.status, e.slug, e.title, detail, e.extensions, [{ field, message: detail }]);
}
