import Decimal from 'decimal.js';

/**
 * Money arrives as decimal strings beside a currency (docs/api-conventions.md §1). Arithmetic uses decimal.js;
 * Intl.NumberFormat formats the string itself (it takes decimal strings exactly), so a JS number
 * never holds money. Charts are the one place a number is made, for drawing only (chartNumber).
 */

export const locale = (): string => (typeof navigator !== 'undefined' && navigator.language) || 'en-AU';

const moneyFormats = new Map<string, Intl.NumberFormat>();
function moneyFormat(currency: string, compact = false): Intl.NumberFormat {
  const key = `${locale()}|${currency}|${compact}`;
  let f = moneyFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale(), {
      style: 'currency',
      currency,
      ...(compact ? { notation: 'compact', maximumFractionDigits: 1 } : {}),
    });
    moneyFormats.set(key, f);
  }
  return f;
}

/** "1234.50" AUD → "$1,234.50" (per locale); unknown or empty values show a dash. */
export function formatMoney(amount: string | null | undefined, currency: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '' || !currency) return '—';
  try {
    return moneyFormat(currency).format(amount as Intl.StringNumericLiteral);
  } catch {
    return `${amount} ${currency}`;
  }
}

export function formatMoneyCompact(amount: string, currency: string): string {
  try {
    return moneyFormat(currency, true).format(amount as Intl.StringNumericLiteral);
  } catch {
    return `${amount} ${currency}`;
  }
}

export const dec = (v: string | number | null | undefined): Decimal => new Decimal(v === null || v === undefined || v === '' ? 0 : v);

/** Σ of decimal strings, as a string with `dp` decimals. */
export function sumMoney(values: Array<string | null | undefined>, dp = 2): string {
  return values.reduce((s: Decimal, v) => s.plus(dec(v)), new Decimal(0)).toFixed(dp);
}

export function mulMoney(a: string, b: string | number, dp = 2): string {
  return dec(a).times(b).toDecimalPlaces(dp, Decimal.ROUND_HALF_UP).toFixed(dp);
}

export const isNegative = (v: string | null | undefined) => dec(v).isNegative() && !dec(v).isZero();
export const isZero = (v: string | null | undefined) => dec(v).isZero();
export const lessThan = (a: string, b: string) => dec(a).lessThan(dec(b));

/** For chart geometry only: never for sums or comparisons of money. */
export const chartNumber = (v: string | null | undefined): number => dec(v).toNumber();

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(style: 'medium' | 'short'): Intl.DateTimeFormat {
  const key = `${locale()}|${style}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale(), { dateStyle: style, timeZone: 'UTC' });
    dateFormats.set(key, f);
  }
  return f;
}

/** A calendar date "2026-01-15" (UTC, docs/api-conventions.md §1) per the user's locale, never shifted by time zone. */
export function formatDate(date: string | null | undefined, style: 'medium' | 'short' = 'medium'): string {
  if (!date) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) return date;
  if (date.length > 10) return formatDateTime(date);
  return dateFormat(style).format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** Today as a calendar date in UTC (the API's dates are UTC calendar dates). */
export function todayIso(): string {
  return new Date().toISOString().slice(0, 10);
}

export const formatInt = (n: number) => new Intl.NumberFormat(locale()).format(n);

export function titleCase(s: string): string {
  return s
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

/** Charts animate only for users who have not asked for reduced motion. */
export const animateCharts = (): boolean =>
  typeof window === 'undefined' || !window.matchMedia || !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
