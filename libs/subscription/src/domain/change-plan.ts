import { CalendarDate, Currency, Dec } from '#disty/core';
import { cancellationCredit, quantityChangeAmount } from './proration';
import { BillingPeriod, periodAmount, periodContaining } from './schedule';

/**
 * What a seat change or an immediate cancellation does to a term's charges, as a pure plan the
 * service then writes. Billing is in advance, so a period after the change date may already be
 * invoiced (billed) or still be an unbilled scheduled charge:
 *  - the period containing the change date gets a prorated charge/credit for the days left;
 *  - a later period still unbilled is simply rescheduled at the new quantity (or voided);
 *  - a later period already billed gets a full-period adjustment (or credit).
 */
export interface PlannedAdjustment {
  period: BillingPeriod;
  /** Net amount, rounded; negative for a credit. */
  amount: Dec;
  /** Change in seats the adjustment is for (negative for a decrease or a cancellation). */
  deltaQuantity: number;
}

export interface QuantityChangePlan {
  /** One per affected period: the current one and every later one already billed. */
  adjustments: PlannedAdjustment[];
  /** Later, still unbilled periods: their scheduled charge becomes this amount at the new quantity. */
  reschedule: Array<{ period: BillingPeriod; amount: Dec; quantity: number }>;
}

export function planQuantityChange(input: {
  periods: BillingPeriod[];
  unitPrice: Dec;
  currency: Currency;
  date: CalendarDate;
  /** Quantity at the start of `date`, before any change made that day. */
  dayBaseQuantity: number;
  oldQuantity: number;
  newQuantity: number;
  /** Whether a period's scheduled charge has already been invoiced. */
  isBilled: (period: BillingPeriod) => boolean;
}): QuantityChangePlan {
  const { periods, unitPrice, currency, date, dayBaseQuantity, oldQuantity, newQuantity } = input;
  const current = periodContaining(periods, date);
  if (!current) throw new RangeError(`${date} is outside the term`);
  const delta = newQuantity - oldQuantity;
  const plan: QuantityChangePlan = { adjustments: [], reschedule: [] };
  if (delta === 0) return plan;
  plan.adjustments.push({
    period: current,
    deltaQuantity: delta,
    amount: quantityChangeAmount({
      unitPrice,
      period: current,
      date,
      dayBaseQuantity,
      oldQuantity,
      newQuantity,
      currency,
    }),
  });
  for (const p of periods.filter((x) => x.start > date)) {
    if (input.isBilled(p)) {
      plan.adjustments.push({
        period: p,
        deltaQuantity: delta,
        amount: quantityChangeAmount({
          unitPrice,
          period: p,
          date: p.start,
          dayBaseQuantity,
          oldQuantity,
          newQuantity,
          currency,
        }),
      });
    } else {
      plan.reschedule.push({
        period: p,
        quantity: newQuantity,
        amount: periodAmount(unitPrice, p.months, newQuantity, currency),
      });
    }
  }
  return plan;
}

export interface CancellationPlan {
  /** Credits (negative amounts): the unused part of the current period, and every later billed period. */
  credits: PlannedAdjustment[];
  /** Later periods whose scheduled charge is unbilled: void them. */
  voidPeriods: BillingPeriod[];
}

/** Immediate cancellation on `date` (service stops that day; the day itself is credited). */
export function planImmediateCancellation(input: {
  periods: BillingPeriod[];
  unitPrice: Dec;
  currency: Currency;
  date: CalendarDate;
  quantity: number;
  isBilled: (period: BillingPeriod) => boolean;
}): CancellationPlan {
  const { periods, unitPrice, currency, date, quantity } = input;
  const current = periodContaining(periods, date);
  if (!current) throw new RangeError(`${date} is outside the term`);
  const plan: CancellationPlan = {
    credits: [
      {
        period: current,
        deltaQuantity: -quantity,
        amount: cancellationCredit(unitPrice, current, quantity, date, currency),
      },
    ],
    voidPeriods: [],
  };
  for (const p of periods.filter((x) => x.start > date)) {
    if (input.isBilled(p)) {
      plan.credits.push({
        period: p,
        deltaQuantity: -quantity,
        amount: cancellationCredit(unitPrice, p, quantity, p.start, currency),
      });
    } else {
      plan.voidPeriods.push(p);
    }
  }
  return plan;
}
