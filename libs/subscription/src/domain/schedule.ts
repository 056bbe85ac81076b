import { addDays, addMonthsClamped, CalendarDate, Currency, daysBetween, Dec, roundMoney } from '#disty/core';

/**
 * Term boundaries and billing schedules, as pure functions of the subscription's anchor (its
 * first start date). No I/O: property tests hammer these.
 *
 * The k-th boundary is anchor + k months, clamped to the month's last day; a period (a term, or a
 * billing period inside it) runs from one boundary to the day before the next. So monthly periods
 * anchored on 2026-01-31 run Jan 31–Feb 27, Feb 28–Mar 30, Mar 31–Apr 29.
 */
export type Term = 'P1M' | 'P1Y' | 'P3Y';
export type BillingFrequency = 'MONTHLY' | 'ANNUAL' | 'UPFRONT';
export const TERMS: readonly Term[] = ['P1M', 'P1Y', 'P3Y'];
export const BILLING_FREQUENCIES: readonly BillingFrequency[] = ['MONTHLY', 'ANNUAL', 'UPFRONT'];

const TERM_MONTHS: Record<Term, number> = { P1M: 1, P1Y: 12, P3Y: 36 };

export function termMonths(term: Term): number {
  return TERM_MONTHS[term];
}

/** Months one charge covers: a month, a year, or the whole term (never more than the term). */
export function periodMonths(term: Term, frequency: BillingFrequency): number {
  const t = termMonths(term);
  if (frequency === 'MONTHLY') return 1;
  if (frequency === 'ANNUAL') return Math.min(12, t);
  return t;
}

/** anchor + `months` months, clamped to the month's end. */
export function boundary(anchor: CalendarDate, months: number): CalendarDate {
  return addMonthsClamped(anchor, months);
}

export interface Span {
  start: CalendarDate;
  /** Last day covered, inclusive. */
  end: CalendarDate;
}

/** Term `termNo` (1-based) of a subscription anchored on `anchor`. */
export function termSpan(anchor: CalendarDate, term: Term, termNo: number): Span {
  const m = termMonths(term);
  return { start: boundary(anchor, (termNo - 1) * m), end: addDays(boundary(anchor, termNo * m), -1) };
}

export interface BillingPeriod extends Span {
  /** Index within the term, 0-based. */
  index: number;
  /** Months of service the period covers (its price is unitPrice × months × quantity). */
  months: number;
  /** Days in the period, both ends inclusive. */
  days: number;
}

/** The billing periods of term `termNo`: one per month, per year, or one for the term. */
export function billingPeriods(anchor: CalendarDate, term: Term, frequency: BillingFrequency, termNo: number): BillingPeriod[] {
  const tm = termMonths(term);
  const pm = periodMonths(term, frequency);
  const base = (termNo - 1) * tm;
  const out: BillingPeriod[] = [];
  for (let i = 0; i * pm < tm; i++) {
    const start = boundary(anchor, base + i * pm);
    const end = addDays(boundary(anchor, base + (i + 1) * pm), -1);
    out.push({ index: i, start, end, months: pm, days: daysBetween(start, end) + 1 });
  }
  return out;
}

/** The billing period of term `termNo` that contains `date`, or undefined if none does. */
export function periodContaining(periods: BillingPeriod[], date: CalendarDate): BillingPeriod | undefined {
  return periods.find((p) => p.start <= date && date <= p.end);
}

/**
 * The number of the term that contains `date` (1-based); 0 if `date` is before the anchor.
 * Used to catch up several missed renewals at once.
 */
export function termNoContaining(anchor: CalendarDate, term: Term, date: CalendarDate): number {
  if (date < anchor) return 0;
  const m = termMonths(term);
  // Estimate from the month difference, then correct for month-end clamping.
  const months = (Number(date.slice(0, 4)) - Number(anchor.slice(0, 4))) * 12 + (Number(date.slice(5, 7)) - Number(anchor.slice(5, 7)));
  let n = Math.max(1, Math.floor(months / m));
  while (n > 1 && termSpan(anchor, term, n).start > date) n--;
  while (termSpan(anchor, term, n).end < date) n++;
  return n;
}

/** The price of one billing period: unitPrice × months × quantity, rounded once. */
export function periodAmount(unitPrice: Dec, months: number, quantity: number, currency: Currency): Dec {
  return roundMoney(unitPrice.times(months).times(quantity), currency);
}

export interface ScheduledCharge extends BillingPeriod {
  /** Billed in advance: the billing date is the period's first day. */
  billingDate: CalendarDate;
  amount: Dec;
}

/** A term's billing schedule: MONTHLY one charge a month, ANNUAL one a year, UPFRONT one for the term. */
export function termSchedule(input: {
  anchor: CalendarDate;
  term: Term;
  billingFrequency: BillingFrequency;
  termNo: number;
  unitPrice: Dec;
  quantity: number;
  currency: Currency;
}): ScheduledCharge[] {
  return billingPeriods(input.anchor, input.term, input.billingFrequency, input.termNo).map((p) => ({
    ...p,
    billingDate: p.start,
    amount: periodAmount(input.unitPrice, p.months, input.quantity, input.currency),
  }));
}

/**
 * The cost of one billing period (docs/accounting.md §4): unitCost × months × quantity, rounded
 * once, like its price; null when the unit cost is not known (a price older than cost prices).
 */
export function periodCost(unitCost: Dec | null, months: number, quantity: number, currency: Currency): Dec | null {
  return unitCost == null ? null : periodAmount(unitCost, months, quantity, currency);
}

/**
 * The cost of a charge whose amount was derived from `unitPrice` (a proration, a cancellation
 * credit, a reduction of a scheduled charge): the same share of the period at the unit cost, i.e.
 * amount × unitCost / unitPrice, rounded once. So it has the amount's sign and proration factor
 * (days left / days in the period, seats changed). null when the unit cost is not known; 0 for a
 * zero price (whose charges are zero and not written).
 */
export function chargeCost(amount: Dec, unitPrice: Dec, unitCost: Dec | null, currency: Currency): Dec | null {
  if (unitCost == null) return null;
  if (unitPrice.isZero()) return new Dec(0);
  return roundMoney(amount.times(unitCost).div(unitPrice), currency);
}
