/**
 * A usage line's own checks (docs/consumption.md, "Rejections"), run in the API by the transform
 * that stages the file (usage-file.reader.ts) while PostgreSQL copies: in order, the first failing
 * one is the line's reason. `closed-month` is not among them (the ledger is asked which months are
 * closed once the file is staged): it is checked in SQL, between `future-date` and `bad-quantity`,
 * on the lines whose date passed (`usageDate` set). Checks against the vendor's subscriptions and
 * meters (tenant, meter, unit, price) are set-based in SQL too.
 */

export type OwnReason =
  | 'malformed'
  | 'missing-record-id'
  | 'bad-version'
  | 'bad-date'
  | 'future-date'
  | 'bad-quantity'
  | 'bad-unit-cost'
  | 'bad-currency';

/** The nine fields of a line, trimmed (space and tab) and cut to MAX_FIELD characters, null when empty. */
export interface LineFields {
  recordId: string | null;
  version: string | null;
  tenantId: string | null;
  meterId: string | null;
  usageDate: string | null;
  quantity: string | null;
  unit: string | null;
  unitCost: string | null;
  currency: string | null;
}

/**
 * The checked line: its reason and detail when it fails a check; the typed values (as the text
 * PostgreSQL reads into integer, date and numeric) only when it passes them all — except the date,
 * set whenever the date itself passed (so that SQL can still find it in a closed month).
 */
export interface CheckedLine {
  own: OwnReason | null;
  detail: string | null;
  version: string | null;
  usageDate: string | null;
  quantity: string | null;
  unitCost: string | null;
  /** The currency upper-cased when it is a supported one. */
  currency: string | null;
}

export interface LineCheckContext {
  /** Today, YYYY-MM-DD. */
  today: string;
  /** The supported currencies (upper case). */
  currencies: ReadonlySet<string>;
}

export const MAX_FIELD = 200;

/** A field as the checks read it: trimmed of spaces and tabs, at most MAX_FIELD characters (code points), null when empty. */
export function trimField(v: string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  let a = 0;
  let b = v.length;
  while (a < b && (v.charCodeAt(a) === 32 || v.charCodeAt(a) === 9)) a++;
  while (b > a && (v.charCodeAt(b - 1) === 32 || v.charCodeAt(b - 1) === 9)) b--;
  if (a === b) return null;
  const s = a === 0 && b === v.length ? v : v.slice(a, b);
  if (s.length <= MAX_FIELD) return s;
  // Characters, not UTF-16 units: a pair of surrogates is one character.
  let units = 0;
  for (let n = 0; n < MAX_FIELD && units < s.length; n++) {
    const c = s.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff && units + 1 < s.length && (s.charCodeAt(units + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return s.slice(0, units);
}

/** Only ASCII digits (and at least one). */
function allDigits(s: string, from = 0, to = s.length): boolean {
  if (from >= to) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** ^[0-9]{1,n}(\.[0-9]{1,6})?$ */
function decimal(s: string, n: number): boolean {
  const dot = s.indexOf('.');
  if (dot < 0) return s.length <= n && allDigits(s);
  return dot >= 1 && dot <= n && s.length - dot - 1 >= 1 && s.length - dot - 1 <= 6 && allDigits(s, 0, dot) && allDigits(s, dot + 1);
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A real date written YYYY-MM-DD (ASCII digits), year 0001 to 9999. */
export function isDate(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  if (!allDigits(s, 0, 4) || !allDigits(s, 5, 7) || !allDigits(s, 8, 10)) return false;
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  if (y === 0 || m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (m === 2 && leap ? 29 : DAYS[m - 1]);
}

/** Upper case as the checks compare currencies: ASCII letters only (a supported code is ASCII). */
function asciiUpper(s: string): string | null {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 127) return null;
    out += c >= 97 && c <= 122 ? String.fromCharCode(c - 32) : s[i];
  }
  return out;
}

const reject = (own: OwnReason, detail: string, usageDate: string | null = null): CheckedLine => ({
  own,
  detail,
  version: null,
  usageDate,
  quantity: null,
  unitCost: null,
  currency: null,
});

/** The line's own checks, in order; `error`: why the line could not be read at all (malformed). */
export function checkLine(f: LineFields, error: string | null, ctx: LineCheckContext): CheckedLine {
  if (error !== null) return reject('malformed', error);
  if (f.recordId === null) return reject('missing-record-id', 'the record id is missing');
  const v = f.version;
  if (v !== null) {
    let z = 0;
    while (z < v.length && v.charCodeAt(z) === 48) z++;
    if (!allDigits(v) || v.length - z < 1 || v.length - z > 9) return reject('bad-version', `record version ${v} is not a whole number from 1`);
  }
  const date = f.usageDate;
  if (date === null || !isDate(date)) return reject('bad-date', `usage date ${date ?? '(none)'} is not a date (YYYY-MM-DD)`);
  if (date > ctx.today) return reject('future-date', `usage date ${date} is after today (${ctx.today})`);
  const q = f.quantity;
  if (q === null || !decimal(q, 14))
    return reject('bad-quantity', `quantity ${q ?? '(none)'} is not a number ≥ 0 with at most 6 decimals`, date);
  const cost = f.unitCost;
  if (cost !== null && !decimal(cost, 10))
    return reject('bad-unit-cost', `vendor unit cost ${cost} is not a number ≥ 0 with at most 6 decimals`, date);
  let currency: string | null = null;
  if (f.currency !== null) {
    currency = asciiUpper(f.currency);
    if (currency === null || !ctx.currencies.has(currency)) return reject('bad-currency', `currency ${f.currency} is not supported`, date);
  }
  return { own: null, detail: null, version: v === null ? '1' : String(Number(v)), usageDate: date, quantity: q, unitCost: cost, currency };
}
