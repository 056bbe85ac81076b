import { CalendarDate, Currency, daysBetween, Dec, roundMoney } from '#disty/core';
import { BillingPeriod } from './schedule';

/**
 * Proration by days remaining (docs/accounting.md §4):
 *   periodPrice × Δquantity × remainingDays / periodDays
 * with periodPrice = unitPrice × months in the period and remainingDays counted from the change
 * date to the period's last day, both inclusive. Rounded half-up to minor units once.
 */
export function remainingDays(period: BillingPeriod, from: CalendarDate): number {
  if (from > period.end) return 0;
  const start = from < period.start ? period.start : from;
  return daysBetween(start, period.end) + 1;
}

/** The exact (unrounded) prorated amount for `deltaQuantity` seats from `from` to the period's end. */
export function exactProration(unitPrice: Dec, period: BillingPeriod, deltaQuantity: number, from: CalendarDate): Dec {
  return unitPrice.times(period.months).times(deltaQuantity).times(remainingDays(period, from)).div(period.days);
}

export function prorate(unitPrice: Dec, period: BillingPeriod, deltaQuantity: number, from: CalendarDate, currency: Currency): Dec {
  return roundMoney(exactProration(unitPrice, period, deltaQuantity, from), currency);
}

/**
 * The charge (positive) or credit (negative) for one quantity change from `oldQuantity` to
 * `newQuantity` on `date`, within `period`.
 *
 * `dayBaseQuantity` is the quantity at the start of that day, before any change made that day.
 * The amount is the difference between the day's cumulative proration after and before this
 * change, so the charges of all changes on one day telescope to ONE rounding of the day's net
 * change: +5 then −5 on one day nets to exactly zero, and +3, −1 nets to exactly what +2 would.
 */
export function quantityChangeAmount(input: {
  unitPrice: Dec;
  period: BillingPeriod;
  date: CalendarDate;
  dayBaseQuantity: number;
  oldQuantity: number;
  newQuantity: number;
  currency: Currency;
}): Dec {
  const { unitPrice, period, date, dayBaseQuantity, currency } = input;
  const after = prorate(unitPrice, period, input.newQuantity - dayBaseQuantity, date, currency);
  const before = prorate(unitPrice, period, input.oldQuantity - dayBaseQuantity, date, currency);
  return after.minus(before);
}

/**
 * Immediate cancellation on `date`: credits the unused part of the billing period, `quantity`
 * seats from `date` (inclusive) to the period's end. Returns a negative amount (or zero).
 */
export function cancellationCredit(unitPrice: Dec, period: BillingPeriod, quantity: number, date: CalendarDate, currency: Currency): Dec {
  return prorate(unitPrice, period, -quantity, date, currency);
}
