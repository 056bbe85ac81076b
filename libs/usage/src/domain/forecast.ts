import { Dec } from '#disty/core';

/** Days in a `YYYY-MM` month. */
export function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map((v) => parseInt(v, 10));
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * Days of `month` the usage so far covers (docs/consumption.md §8): a past month all of its days;
 * the current month up to the latest usage date recorded in it (vendor files arrive a day or
 * more late, so today would under-forecast); a future month none.
 */
export function daysElapsed(month: string, today: string, latestUsageDate: string | null): number {
  const current = today.slice(0, 7);
  if (month < current) return daysInMonth(month);
  if (month > current || !latestUsageDate) return 0;
  return parseInt(latestUsageDate.slice(8, 10), 10);
}

/** Run rate: month to date ÷ days elapsed × days in month (exact; the caller rounds for display). */
export function runRateForecast(monthToDate: Dec, elapsed: number, days: number): Dec {
  if (elapsed <= 0) return monthToDate;
  return monthToDate.div(elapsed).times(days);
}
