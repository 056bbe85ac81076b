/**
 * A usage line's own checks (docs/consumption.md, "Rejections"), run in the API by the transform
 * that stages the file (usage-file.reader.ts) while PostgreSQL copies: in order, the first failing
 * one is the line's reason. `closed-month` is not among them (the ledger is asked which months are
 * closed once the file is staged): it is checked in SQL, between `future-date` and `bad-quantity`,
 * on the lines whose date passed (`usageDate` set). Checks against the vendor's subscriptions and
 * meters (tenant, meter, unit, price) are set-based in SQL too.
 */

import { isValidCalendarDate } from '#disty/core';

export type OwnReason =
  'malformed' | 'missing-record-id' | 'bad-version' | 'bad-date' | 'future-date' | 'bad-quantity' | 'bad-unit-cost' | 'bad-currency';

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

/** Fills `out` (reused line after line: no allocation per line) and returns it. */
function reject(out: CheckedLine, own: OwnReason, detail: string, usageDate: string | null = null): CheckedLine {
  out.own = own;
  out.detail = detail;
  out.version = null;
  out.usageDate = usageDate;
  out.quantity = null;
  out.unitCost = null;
  out.currency = null;
  return out;
}

/** An empty result, to pass to checkLine again and again. */
export const checkedLine = (): CheckedLine => ({
  own: null,
  detail: null,
  version: null,
  usageDate: null,
  quantity: null,
  unitCost: null,
  currency: null,
});

/**
 * The line's own checks, in order; `error`: why the line could not be read at all (malformed).
 * The result is written into `out` (a fresh one when not given).
 */
export function checkLine(f: LineFields, error: string | null, ctx: LineCheckContext, out: CheckedLine = checkedLine()): CheckedLine {
  if (error !== null) return reject(out, 'malformed', error);
  if (f.recordId === null) return reject(out, 'missing-record-id', 'the record id is missing');
  const v = f.version;
  if (v !== null) {
    let z = 0;
    while (z < v.length && v.charCodeAt(z) === 48) z++;
    if (!allDigits(v) || v.length - z < 1 || v.length - z > 9)
      return reject(out, 'bad-version', `record version ${v} is not a whole number from 1`);
  }
  const date = f.usageDate;
  if (date === null || !isValidCalendarDate(date))
    return reject(out, 'bad-date', `usage date ${date ?? '(none)'} is not a date (YYYY-MM-DD)`);
  if (date > ctx.today) return reject(out, 'future-date', `usage date ${date} is after today (${ctx.today})`);
  const q = f.quantity;
  if (q === null || !decimal(q, 14))
    return reject(out, 'bad-quantity', `quantity ${q ?? '(none)'} is not a number ≥ 0 with at most 6 decimals`, date);
  const cost = f.unitCost;
  if (cost !== null && !decimal(cost, 10))
    return reject(out, 'bad-unit-cost', `vendor unit cost ${cost} is not a number ≥ 0 with at most 6 decimals`, date);
  let currency: string | null = null;
  if (f.currency !== null) {
    currency = ctx.currencies.has(f.currency) ? f.currency : asciiUpper(f.currency);
    if (currency === null || !ctx.currencies.has(currency))
      return reject(out, 'bad-currency', `currency ${f.currency} is not supported`, date);
  }
  out.own = null;
  out.detail = null;
  out.version = v === null ? '1' : v.length === 1 ? v : String(Number(v));
  out.usageDate = date;
  out.quantity = q;
  out.unitCost = cost;
  out.currency = currency;
  return out;
}

/** ^[0-9]{1,n}(\.[0-9]{1,6})?$ on s[from, to). */
function decimalAt(s: string, from: number, to: number, n: number): boolean {
  let dot = -1;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 && dot < 0) dot = i;
    else if (c < 48 || c > 57) return false;
  }
  if (dot < 0) return to - from >= 1 && to - from <= n;
  return dot - from >= 1 && dot - from <= n && to - dot - 1 >= 1 && to - dot - 1 <= 6;
}

/**
 * The common case, checked in place (no field copied): a plain CSV line (nine fields split on
 * `commas`, the positions of its eight commas) that passes every own check with each field already
 * as staged — nothing to trim or cut, a version written without leading zeros, a supported
 * currency in upper case or none. Such a line is staged as it is. False: the line goes through
 * checkLine (which alone decides its reason).
 */
export function plainLinePasses(line: string, commas: Int32Array, ctx: LineCheckContext): boolean {
  for (let i = 0; i <= 8; i++) {
    const from = i === 0 ? 0 : commas[i - 1] + 1;
    const to = i === 8 ? line.length : commas[i];
    if (to - from > MAX_FIELD) return false;
    if (to > from) {
      const a = line.charCodeAt(from);
      const b = line.charCodeAt(to - 1);
      if (a === 32 || a === 9 || b === 32 || b === 9) return false;
    }
  }
  // Record id present; version 1–999999999 as written (no leading zero).
  if (commas[0] === 0) return false;
  const v0 = commas[0] + 1;
  const v1 = commas[1];
  if (v1 - v0 < 1 || v1 - v0 > 9 || line.charCodeAt(v0) === 48 || !allDigits(line, v0, v1)) return false;
  // Date: a real one, not after today.
  const d0 = commas[3] + 1;
  if (commas[4] - d0 !== 10 || !isValidCalendarDate(line.slice(d0, d0 + 10))) return false;
  const today = ctx.today;
  for (let i = 0; i < 10; i++) {
    const c = line.charCodeAt(d0 + i) - today.charCodeAt(i);
    if (c < 0) break;
    if (c > 0) return false;
  }
  if (!decimalAt(line, commas[4] + 1, commas[5], 14)) return false;
  if (commas[7] > commas[6] + 1 && !decimalAt(line, commas[6] + 1, commas[7], 10)) return false;
  const c0 = commas[7] + 1;
  if (c0 < line.length && !ctx.currencies.has(line.slice(c0))) return false;
  return true;
}
