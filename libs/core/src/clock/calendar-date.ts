/** Calendar-date arithmetic on YYYY-MM-DD strings, in UTC, with no time zones involved. */
export type CalendarDate = string;

const DAY_MS = 86_400_000;

export function parseDate(d: CalendarDate): Date {
  return new Date(`${d}T00:00:00Z`);
}

export function formatDate(d: Date): CalendarDate {
  return d.toISOString().slice(0, 10);
}

export function addDays(d: CalendarDate, days: number): CalendarDate {
  return formatDate(new Date(parseDate(d).getTime() + days * DAY_MS));
}

/** b − a in days. */
export function daysBetween(a: CalendarDate, b: CalendarDate): number {
  return Math.round((parseDate(b).getTime() - parseDate(a).getTime()) / DAY_MS);
}

function lastDayOfMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

/** anchor + n months, clamped to the target month's last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonthsClamped(anchor: CalendarDate, months: number): CalendarDate {
  const a = parseDate(anchor);
  const total = a.getUTCFullYear() * 12 + a.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month0 = total - year * 12;
  const day = Math.min(a.getUTCDate(), lastDayOfMonth(year, month0));
  return formatDate(new Date(Date.UTC(year, month0, day)));
}

export function monthOf(d: CalendarDate): string {
  return d.slice(0, 7);
}
