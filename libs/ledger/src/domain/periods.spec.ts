import { nextMonth, postingDate } from './periods';

describe('posting dates around closed months', () => {
  it('keeps a date whose month is open', () => {
    expect(postingDate('2026-09-15', new Set(['2026-08']))).toBe('2026-09-15');
  });

  it('moves a date in a closed month to the first day of the first open month', () => {
    expect(postingDate('2026-09-15', new Set(['2026-09']))).toBe('2026-10-01');
    expect(postingDate('2026-11-30', new Set(['2026-11', '2026-12', '2027-01']))).toBe('2027-02-01');
  });

  it('steps months across a year end', () => {
    expect(nextMonth('2026-12')).toBe('2027-01');
    expect(nextMonth('2026-01')).toBe('2026-02');
  });
});
