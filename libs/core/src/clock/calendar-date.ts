/** Calendar-date arithmetic on YYYY-MM-DD strings, in UTC, with no time zones involved. */
export type CalendarDate = string;

const DAY_MS = 86_400_000;

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight UTC of a calendar date (years 0001–9999; never Date.UTC's 1900 + yy for years below 100). */
export function utcDate(year: number, month0: number, day: number): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, month0, day);
  d.setUTCHours(0, 0, 0, 0);
  return d;
}

export function parseDate(d: CalendarDate): Date {
  const m = CALENDAR_DATE.exec(d);
  if (!m) return new Date(NaN);
  return utcDate(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

/** YYYY-MM-DD of a Date (4-digit year; years outside 0001–9999 are not calendar dates here). */
export function formatDate(d: Date): CalendarDate {
  const y = d.getUTCFullYear();
  if (!(y >= 1 && y <= 9999)) throw new RangeError(`year ${y} is outside 0001–9999`);
  return `${String(y).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A real calendar date written YYYY-MM-DD (ASCII digits), year 0001–9999 (no 2026-02-30, no 0000).
 * Read character by character, with no regular expression or Date: a usage import checks every one
 * of a million lines' dates with it (docs/consumption.md §10).
 */
export function isValidCalendarDate(v: unknown): v is CalendarDate {
  if (typeof v !== 'string' || v.length !== 10 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45) return false;
  const n = (i: number) => {
    const c = v.charCodeAt(i) - 48;
    return c >= 0 && c <= 9 ? c : NaN;
  };
  const y = n(0) * 1000 + n(1) * 100 + n(2) * 10 + n(3);
  const m = n(5) * 10 + n(6);
  const d = n(8) * 10 + n(9);
  // NaN (a non-digit) fails every comparison below.
  if (!(y >= 1 && m >= 1 && m <= 12 && d >= 1)) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]);
}

export function addDays(d: CalendarDate, days: number): CalendarDate {
  return formatDate(new Date(parseDate(d).getTime() + days * DAY_MS));
}

/** b − a in days. */
export function daysBetween(a: CalendarDate, b: CalendarDate): number {
  return Math.round((parseDate(b).getTime() - parseDate(a).getTime()) / DAY_MS);
}

function lastDayOfMonth(year: number, month0: number): number {
  return utcDate(year, month0 + 1, 0).getUTCDate();
}

/** anchor + n months, clamped to the target month's last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonthsClamped(anchor: CalendarDate, months: number): CalendarDate {
  const a = parseDate(anchor);
  const total = a.getUTCFullYear() * 12 + a.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month0 = total - year * 12;
  const day = Math.min(a.getUTCDate(), lastDayOfMonth(year, month0));
  return formatDate(utcDate(year, month0, day));
}

export function monthOf(d: CalendarDate): string {
  return d.slice(0, 7);
}
