import { addDays, CalendarDate, daysBetween, Dec } from '#disty/core';
import { BillingPeriod } from './schedule';

/**
 * What a subscription's service was worth, day by day, as a pure function of its seat history
 * (docs/money-integrity.md, "Service conservation"). A billing period of `days` days priced
 * `unitPrice × months` a seat is worth, for each of its days, that price × the seats on that day /
 * `days`. Charges, proration credits and service credit notes of a period must add up to this
 * value, within the half-cent each rounded amount may carry.
 */

/** Seats from a date on, in the order they took effect; a later step on the same day wins; 0 = stopped. */
export interface SeatStep {
  from: CalendarDate;
  quantity: number;
}

/** The seats in force on `day`: the last step dated on or before it (0 before the first). */
export function seatsOn(steps: readonly SeatStep[], day: CalendarDate): number {
  let q = 0;
  for (const s of steps) if (s.from <= day) q = s.quantity;
  return q;
}

/** Σ over the period's days of the seats in force that day (seat-days), without iterating day by day. */
export function seatDays(period: Pick<BillingPeriod, 'start' | 'end'>, steps: readonly SeatStep[]): number {
  const cuts = [...new Set(steps.map((s) => s.from).filter((d) => d > period.start && d <= period.end))].sort();
  let total = 0;
  let from = period.start;
  for (const cut of [...cuts, addDays(period.end, 1)]) {
    total += seatsOn(steps, from) * daysBetween(from, cut);
    from = cut;
  }
  return total;
}

/** The exact (unrounded) value of the service one billing period provided. */
export function periodServiceValue(period: BillingPeriod, unitPrice: Dec, steps: readonly SeatStep[]): Dec {
  return unitPrice.times(period.months).times(seatDays(period, steps)).div(period.days);
}
