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

/** A real calendar date written YYYY-MM-DD, year 0001–9999 (no 2026-02-30, no 0000). */
export function isValidCalendarDate(v: unknown): v is CalendarDate {
  if (typeof v !== 'string') return false;
  const m = CALENDAR_DATE.exec(v);
  if (!m) return false;
  const [y, mo, da] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1 || mo < 1 || mo > 12 || da < 1) return false;
  return da <= lastDayOfMonth(y, mo - 1);
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
