import fc from 'fast-check';
import { addDays, addMonthsClamped, daysBetween, formatDate, isValidCalendarDate, parseDate } from './calendar-date';

describe('calendar dates', () => {
  it('clamps month arithmetic to the last day of the month', () => {
    expect(addMonthsClamped('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonthsClamped('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonthsClamped('2026-01-31', 2)).toBe('2026-03-31');
    expect(addMonthsClamped('2026-01-15', 12)).toBe('2027-01-15');
    expect(addMonthsClamped('2028-02-29', 12)).toBe('2029-02-28');
    expect(addMonthsClamped('2026-11-30', 3)).toBe('2027-02-28');
  });

  it('counts days across leap years', () => {
    expect(daysBetween('2028-02-01', '2028-03-01')).toBe(29);
    expect(daysBetween('2026-01-01', '2027-01-01')).toBe(365);
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });
});

describe('calendar dates of any year 0001–9999 (leak 2: 0001-01-01 was stored as 1901)', () => {
  const anyDate = fc
    .record({
      y: fc.integer({ min: 1, max: 9960 }),
      m: fc.integer({ min: 1, max: 12 }),
      d: fc.integer({ min: 1, max: 31 }),
    })
    .map(({ y, m, d }) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`)
    .filter((s) => isValidCalendarDate(s));

  it('parses and formats 0001-01-01 and two-digit years as themselves', () => {
    expect(formatDate(parseDate('0001-01-01'))).toBe('0001-01-01');
    expect(parseDate('0001-01-01').getUTCFullYear()).toBe(1);
    expect(addMonthsClamped('0001-01-31', 1)).toBe('0001-02-28');
    expect(addMonthsClamped('0099-12-15', 1)).toBe('0100-01-15');
    expect(addMonthsClamped('0004-01-31', 1)).toBe('0004-02-29');
    expect(addDays('0001-01-01', 365)).toBe('0002-01-01');
    expect(daysBetween('0001-01-01', '0002-01-01')).toBe(365);
  });

  it('validates strictly: real dates with a 4-digit year 0001–9999', () => {
    for (const ok of ['0001-01-01', '2028-02-29', '9999-12-31']) expect(isValidCalendarDate(ok)).toBe(true);
    for (const bad of ['0000-01-01', '2026-02-30', '2026-13-01', '26-01-01', '+2026-01-01', '2026-1-1', '10000-01-01', 20260101, null]) {
      expect(isValidCalendarDate(bad)).toBe(false);
    }
  });

  it('round-trips every date (to 9960, so the arithmetic stays in range) and agrees with month and day arithmetic', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: 0, max: 400 }), (d, n) => {
        expect(formatDate(parseDate(d))).toBe(d);
        const later = addMonthsClamped(d, n);
        expect(later >= d).toBe(true);
        expect(isValidCalendarDate(later)).toBe(true);
        expect(later.slice(8) <= d.slice(8)).toBe(true);
        expect(daysBetween(d, addDays(d, n))).toBe(n);
      }),
      { numRuns: 500 },
    );
  });
});
