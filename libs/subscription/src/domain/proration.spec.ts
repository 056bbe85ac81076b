import fc from 'fast-check';
import { addDays, Currency, daysBetween, Dec, minorUnits } from '#disty/core';
import { planImmediateCancellation, planQuantityChange } from './change-plan';
import { cancellationCredit, prorate, quantityChangeAmount, remainingDays } from './proration';
import { BillingFrequency, BillingPeriod, billingPeriods, periodAmount, Term, termSpan } from './schedule';

const currency = fc.constantFrom<Currency>('AUD', 'USD', 'JPY');
const unitPrice = fc
  .tuple(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 9999 }))
  .map(([i, f]) => new Dec(`${i}.${String(f).padStart(4, '0')}`));
const anchor = fc
  .integer({ min: 0, max: 365 * 8 })
  .map((d) => addDays('2025-01-01', d))
  .chain((d) => fc.constantFrom(d, `${d.slice(0, 8)}28`, `${d.slice(0, 8)}29`, `${d.slice(0, 8)}30`, `${d.slice(0, 8)}31`))
  .filter((d) => new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d);
const termAndFrequency = fc.constantFrom<[Term, BillingFrequency]>(
  ['P1M', 'MONTHLY'],
  ['P1Y', 'MONTHLY'],
  ['P1Y', 'ANNUAL'],
  ['P1Y', 'UPFRONT'],
  ['P3Y', 'ANNUAL'],
  ['P3Y', 'MONTHLY'],
  ['P3Y', 'UPFRONT'],
);

const key = (p: BillingPeriod) => p.start;

/**
 * Replays quantity changes the way SubscriptionChangeService does (scheduled charges at term
 * start, rescheduled while unbilled, adjustments otherwise) and returns every charge's amount
 * plus the exact day-weighted integral of quantity × daily price over the term.
 */
function simulate(input: {
  anchor: string;
  term: Term;
  frequency: BillingFrequency;
  unitPrice: Dec;
  currency: Currency;
  initial: number;
  changes: Array<{ day: number; quantity: number }>;
  billedUpTo: number;
}) {
  const periods = billingPeriods(input.anchor, input.term, input.frequency, 1);
  const span = termSpan(input.anchor, input.term, 1);
  const termDays = daysBetween(span.start, span.end) + 1;
  const scheduled = new Map(periods.map((p) => [key(p), periodAmount(input.unitPrice, p.months, input.initial, input.currency)]));
  const adjustments: Dec[] = [];
  // Quantity on each day of the term, for the exact integral.
  const qByDay = new Array<number>(termDays).fill(input.initial);
  let q = input.initial;
  let lastDate = '';
  let dayBase = q;
  for (const c of input.changes) {
    const date = addDays(span.start, c.day % termDays);
    if (date < lastDate) continue; // changes are applied in date order
    if (date !== lastDate) dayBase = q;
    lastDate = date;
    // Billing runs have invoiced periods starting up to `billedUpTo` days into the term.
    const billedBefore = addDays(span.start, input.billedUpTo);
    const plan = planQuantityChange({
      periods,
      unitPrice: input.unitPrice,
      currency: input.currency,
      date,
      dayBaseQuantity: dayBase,
      oldQuantity: q,
      newQuantity: c.quantity,
      isBilled: (p) => p.start <= billedBefore,
    });
    for (const a of plan.adjustments) adjustments.push(a.amount);
    for (const r of plan.reschedule) scheduled.set(key(r.period), r.amount);
    for (let d = daysBetween(span.start, date); d < termDays; d++) qByDay[d] = c.quantity;
    q = c.quantity;
  }
  let exact = new Dec(0);
  for (const p of periods) {
    const offset = daysBetween(span.start, p.start);
    let seatDays = 0;
    for (let d = 0; d < p.days; d++) seatDays += qByDay[offset + d];
    exact = exact.plus(input.unitPrice.times(p.months).times(seatDays).div(p.days));
  }
  const charges = [...scheduled.values(), ...adjustments];
  return { charges, exact, total: charges.reduce((s, x) => s.plus(x), new Dec(0)) };
}

describe('proration', () => {
  const period: BillingPeriod = { index: 0, start: '2026-03-01', end: '2026-03-31', months: 1, days: 31 };

  it('prorates by days remaining, both ends inclusive', () => {
    expect(remainingDays(period, '2026-03-01')).toBe(31);
    expect(remainingDays(period, '2026-03-31')).toBe(1);
    expect(remainingDays(period, '2026-04-01')).toBe(0);
    // 10.00 × 3 seats × 22/31 = 21.2903…
    expect(prorate(new Dec('10'), period, 3, '2026-03-10', 'AUD').toFixed(2)).toBe('21.29');
    expect(prorate(new Dec('10'), period, -3, '2026-03-10', 'AUD').toFixed(2)).toBe('-21.29');
    expect(cancellationCredit(new Dec('10'), period, 3, '2026-03-10', 'AUD').toFixed(2)).toBe('-21.29');
  });

  it('nets +3 then −1 on one day to exactly what +2 would charge', () => {
    const base = {
      unitPrice: new Dec('9.99'),
      period,
      date: '2026-03-10',
      dayBaseQuantity: 5,
      currency: 'AUD' as const,
    };
    const a = quantityChangeAmount({ ...base, oldQuantity: 5, newQuantity: 8 });
    const b = quantityChangeAmount({ ...base, oldQuantity: 8, newQuantity: 7 });
    const direct = quantityChangeAmount({ ...base, oldQuantity: 5, newQuantity: 7 });
    expect(a.plus(b).eq(direct)).toBe(true);
  });

  it('an increase and an equal decrease on the same day net to zero (property)', () => {
    fc.assert(
      fc.property(
        unitPrice,
        currency,
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 30 }),
        (price, cur, q0, path, dayOffset) => {
          const date = addDays(period.start, dayOffset);
          let q = q0;
          let sum = new Dec(0);
          for (const next of [...path, q0]) {
            sum = sum.plus(
              quantityChangeAmount({
                unitPrice: price,
                period,
                date,
                dayBaseQuantity: q0,
                oldQuantity: q,
                newQuantity: next,
                currency: cur,
              }),
            );
            q = next;
          }
          expect(sum.isZero()).toBe(true);
        },
      ),
    );
  });

  it('charges equal the day-weighted integral of quantity × daily price within half a minor unit per charge (property)', () => {
    fc.assert(
      fc.property(
        anchor,
        termAndFrequency,
        unitPrice,
        currency,
        fc.integer({ min: 1, max: 200 }),
        fc
          .array(fc.record({ day: fc.integer({ min: 0, max: 1200 }), quantity: fc.integer({ min: 1, max: 200 }) }), { maxLength: 12 })
          .map((cs) => [...cs].sort((a, b) => a.day - b.day)),
        fc.integer({ min: 0, max: 1200 }),
        (a, [term, frequency], price, cur, initial, changes, billedUpTo) => {
          const r = simulate({
            anchor: a,
            term,
            frequency,
            unitPrice: price,
            currency: cur,
            initial,
            changes,
            billedUpTo,
          });
          const halfUnit = new Dec(1).div(new Dec(10).pow(minorUnits(cur))).div(2);
          expect(r.total.minus(r.exact).abs().lte(halfUnit.times(r.charges.length))).toBe(true);
          for (const c of r.charges) expect(c.decimalPlaces()).toBeLessThanOrEqual(minorUnits(cur));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('without changes, a term bills exactly its price × months × quantity when the monthly amount is whole cents', () => {
    fc.assert(
      fc.property(
        anchor,
        termAndFrequency,
        fc.integer({ min: 0, max: 100000 }),
        fc.integer({ min: 1, max: 1000 }),
        (a, [term, frequency], cents, qty) => {
          const price = new Dec(cents).div(100);
          const r = simulate({
            anchor: a,
            term,
            frequency,
            unitPrice: price,
            currency: 'AUD',
            initial: qty,
            changes: [],
            billedUpTo: 0,
          });
          const months = { P1M: 1, P1Y: 12, P3Y: 36 }[term];
          expect(r.total.eq(price.times(months).times(qty))).toBe(true);
        },
      ),
    );
  });

  it('immediate cancellation credits the rest of the current period and voids or credits later ones', () => {
    const periods = billingPeriods('2026-01-31', 'P1Y', 'MONTHLY', 1);
    const plan = planImmediateCancellation({
      periods,
      unitPrice: new Dec('10'),
      currency: 'AUD',
      date: '2026-03-10',
      quantity: 2,
      isBilled: (p) => p.start <= '2026-04-29',
    });
    // Feb 28 – Mar 30 is 31 days; Mar 10 – Mar 30 is 21 of them: 20.00 × 21/31 = 13.5483…
    expect(plan.credits[0]).toMatchObject({
      period: { start: '2026-02-28', end: '2026-03-30' },
      deltaQuantity: -2,
    });
    expect(plan.credits[0].amount.toFixed(2)).toBe('-13.55');
    expect(plan.credits.slice(1).map((c) => [c.period.start, c.amount.toFixed(2)])).toEqual([['2026-03-31', '-20.00']]);
    expect(plan.voidPeriods.map((p) => p.start)[0]).toBe('2026-04-30');
    expect(plan.voidPeriods).toHaveLength(9);
  });
});
