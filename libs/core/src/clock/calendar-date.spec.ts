import { addDays, addMonthsClamped, daysBetween } from './calendar-date';

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
