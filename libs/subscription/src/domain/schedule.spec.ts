import { Dec } from '#disty/core';
import { billingPeriods, chargeCost, periodCost, termNoContaining, termSchedule, termSpan } from './schedule';

describe('term boundaries and billing schedules', () => {
  it('ends a P1Y term the day before its anniversary', () => {
    expect(termSpan('2026-01-15', 'P1Y', 1)).toEqual({ start: '2026-01-15', end: '2027-01-14' });
    expect(termSpan('2026-01-15', 'P1Y', 2)).toEqual({ start: '2027-01-15', end: '2028-01-14' });
  });

  it('anchors monthly terms on 31 January to month ends (the example in docs/accounting.md §4)', () => {
    expect([1, 2, 3].map((n) => termSpan('2026-01-31', 'P1M', n))).toEqual([
      { start: '2026-01-31', end: '2026-02-27' },
      { start: '2026-02-28', end: '2026-03-30' },
      { start: '2026-03-31', end: '2026-04-29' },
    ]);
  });

  it('follows the same rule for monthly periods inside a year, in a leap year', () => {
    const p = billingPeriods('2028-01-31', 'P1Y', 'MONTHLY', 1);
    expect(p).toHaveLength(12);
    expect(p.slice(0, 3).map((x) => [x.start, x.end, x.days])).toEqual([
      ['2028-01-31', '2028-02-28', 29],
      ['2028-02-29', '2028-03-30', 31],
      ['2028-03-31', '2028-04-29', 30],
    ]);
    expect(p[11].end).toBe('2029-01-30');
    expect(p.reduce((s, x) => s + x.days, 0)).toBe(366);
  });

  it('covers a leap-day anchor and its anniversaries', () => {
    expect(termSpan('2028-02-29', 'P1Y', 1)).toEqual({ start: '2028-02-29', end: '2029-02-27' });
    expect(termSpan('2028-02-29', 'P1Y', 2)).toEqual({ start: '2029-02-28', end: '2030-02-27' });
    expect(termSpan('2028-02-29', 'P1Y', 4)).toEqual({ start: '2031-02-28', end: '2032-02-28' });
    expect(termSpan('2028-02-29', 'P1Y', 5).start).toBe('2032-02-29');
  });

  it('bills MONTHLY twelve times, ANNUAL and UPFRONT once a P1Y term, ANNUAL three times a P3Y term', () => {
    const base = {
      anchor: '2026-03-10',
      termNo: 1,
      unitPrice: new Dec('12.3456'),
      quantity: 7,
      currency: 'AUD' as const,
    };
    const monthly = termSchedule({ ...base, term: 'P1Y', billingFrequency: 'MONTHLY' });
    expect(monthly).toHaveLength(12);
    expect(monthly.every((c) => c.amount.eq('86.42') && c.billingDate === c.start)).toBe(true);
    const annual = termSchedule({ ...base, term: 'P1Y', billingFrequency: 'ANNUAL' });
    expect(annual.map((c) => [c.start, c.end, c.amount.toFixed(2)])).toEqual([['2026-03-10', '2027-03-09', '1037.03']]);
    const upfront = termSchedule({ ...base, term: 'P3Y', billingFrequency: 'UPFRONT' });
    expect(upfront.map((c) => [c.start, c.end, c.amount.toFixed(2)])).toEqual([['2026-03-10', '2029-03-09', '3111.09']]);
    const p3yAnnual = termSchedule({ ...base, term: 'P3Y', billingFrequency: 'ANNUAL' });
    expect(p3yAnnual.map((c) => c.start)).toEqual(['2026-03-10', '2027-03-10', '2028-03-10']);
    expect(termSchedule({ ...base, term: 'P1M', billingFrequency: 'ANNUAL' })).toHaveLength(1);
  });

  it('rounds JPY to whole yen', () => {
    const [c] = termSchedule({
      anchor: '2026-01-01',
      termNo: 1,
      unitPrice: new Dec('100.5'),
      quantity: 1,
      currency: 'JPY',
      term: 'P1M',
      billingFrequency: 'MONTHLY',
    });
    expect(c.amount.toFixed()).toBe('101');
  });

  it('finds the term containing a date, across month-end clamping', () => {
    expect(termNoContaining('2026-01-31', 'P1M', '2026-01-30')).toBe(0);
    expect(termNoContaining('2026-01-31', 'P1M', '2026-01-31')).toBe(1);
    expect(termNoContaining('2026-01-31', 'P1M', '2026-02-27')).toBe(1);
    expect(termNoContaining('2026-01-31', 'P1M', '2026-02-28')).toBe(2);
    expect(termNoContaining('2026-01-31', 'P1M', '2026-03-31')).toBe(3);
    expect(termNoContaining('2026-01-15', 'P1Y', '2029-01-14')).toBe(3);
    expect(termNoContaining('2026-01-15', 'P1Y', '2029-01-15')).toBe(4);
    for (let d = 0; d < 2000; d += 7) {
      const date = new Date(Date.UTC(2026, 0, 31 + d)).toISOString().slice(0, 10);
      const n = termNoContaining('2026-01-31', 'P1M', date);
      const span = termSpan('2026-01-31', 'P1M', n);
      expect(span.start <= date && date <= span.end).toBe(true);
    }
  });
});

describe('charge costs (docs/accounting.md §4)', () => {
  it('costs a period like its price, and null when the unit cost is not known', () => {
    expect(periodCost(new Dec('15'), 12, 10, 'AUD')!.toFixed(2)).toBe('1800.00');
    expect(periodCost(null, 12, 10, 'AUD')).toBeNull();
  });

  it('gives a derived charge the same sign and proration factor as its amount', () => {
    // +3 seats for 15 of 30 days at 20.00 (cost 15.00): 30.00 and 22.50; a credit of −80.00: −60.00.
    expect(chargeCost(new Dec('30'), new Dec('20'), new Dec('15'), 'AUD')!.toFixed(2)).toBe('22.50');
    expect(chargeCost(new Dec('-80'), new Dec('20'), new Dec('15'), 'AUD')!.toFixed(2)).toBe('-60.00');
    expect(chargeCost(new Dec('-0.01'), new Dec('20'), new Dec('15'), 'AUD')!.toFixed(2)).toBe('-0.01');
    expect(chargeCost(new Dec('30'), new Dec('20'), null, 'AUD')).toBeNull();
    expect(chargeCost(new Dec('0'), new Dec('0'), new Dec('5'), 'AUD')!.toFixed(2)).toBe('0.00');
  });
});
