import { parse } from 'csv-parse/sync';
import { StringDecoder } from 'string_decoder';
import { Transform, TransformCallback } from 'stream';
import { checkedLine, checkLine, LineCheckContext, LineFields, MAX_FIELD, plainLinePasses, trimField } from './domain/usage-line.checks';

export const USAGE_FORMATS = ['csv', 'jsonl'] as const;
export type UsageFormat = (typeof USAGE_FORMATS)[number];

/** A whole-file problem (bad header, over-long line): the import is refused with a 400. */
export class UsageFileError extends Error {}

/** The fields of a usage line, in the order of `usage_stage`'s columns after line_no (usage.sql.ts). */
const FIELDS = ['recordId', 'recordVersion', 'tenantId', 'meterId', 'usageDate', 'quantity', 'unit', 'unitCost', 'currency'] as const;
type Field = (typeof FIELDS)[number];

/** Field names as vendors spell them (docs/consumption.md, "File format"), normalised (lower case, letters and digits). */
const ALIASES: Record<Field, string[]> = {
  recordId: ['recordid', 'id', 'usageid'],
  recordVersion: ['recordversion', 'version'],
  tenantId: ['tenantid', 'accountid', 'subscriptionid', 'customertenantid'],
  meterId: ['meterid'],
  usageDate: ['usagedate', 'date'],
  quantity: ['quantity'],
  unit: ['unit', 'unitofmeasure'],
  unitCost: ['vendorunitcost', 'unitcost', 'unitprice'],
  currency: ['currency', 'billingcurrency'],
};
const REQUIRED: Field[] = ['recordId', 'tenantId', 'meterId', 'usageDate', 'quantity'];
const MAX_LINE = 16 * 1024;
const NUL = '\u0000';

const norm = (k: string) => k.toLowerCase().replace(/[^a-z0-9]/g, '');
const KEYS = new Map(Object.entries(ALIASES).flatMap(([target, names]) => names.map((n) => [n, FIELDS.indexOf(target as Field)])));

/** A field as staged: trimmed, at most MAX_FIELD characters, null when empty. */
const field = (v: unknown): string | null => {
  if (v === undefined || v === null) return null;
  const s = (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v)).trim();
  return s === '' ? null : s.length > MAX_FIELD ? s.slice(0, MAX_FIELD) : s;
};

/** One value of a COPY … (FORMAT csv) line: empty unquoted is NULL; a non-empty value is quoted only when it must be. */
const csv = (v: string | null): string => (v === null ? '' : /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * Turns a usage file (CSV with a header line, or JSON lines) into the rows of `usage_stage` as
 * COPY … FROM STDIN (FORMAT csv) text, checking each line on the way (docs/consumption.md,
 * "Rejections"; domain/usage-line.checks.ts): line number, the fields trimmed (text) or typed
 * (version, date, quantity, unit cost: set only on a line that passed its own checks), and the
 * reason and detail of the first own check it fails, else empty. Streams: it holds at most one
 * line (one record) besides the chunk in hand. Line numbers are the file's (the CSV header is line
 * 1); blank lines are skipped. The months of the lines whose date passed are collected (the ledger
 * is asked which are closed). A bad header or an over-long line fails the stream with UsageFileError.
 */
export class UsageCopyTransform extends Transform {
  /** Bytes of the file received, and data lines (records) staged so far. */
  bytes = 0;
  rows = 0;
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';
  private lineNo = 0;
  /** CSV: for each field, its column in the file (-1: absent); null until the header is read. */
  private columns: number[] | null = null;
  private pending: { text: string; first: number } | null = null;
  /** CSV whose header names the nine fields in the file's documented order: a plain line is split on commas only. */
  private plain = false;
  /** The months (YYYY-MM) of the lines whose date passed its checks. */
  readonly months = new Set<string>();
  private lastDate: string | null = null;
  private lastMonth: string | null = null;
  /** The positions of a plain line's commas. */
  private readonly commas = new Int32Array(FIELDS.length - 1);
  /** Reused line after line (no allocation per line). */
  private readonly fields: LineFields = {
    recordId: null,
    version: null,
    tenantId: null,
    meterId: null,
    usageDate: null,
    quantity: null,
    unit: null,
    unitCost: null,
    currency: null,
  };
  private readonly checked = checkedLine();

  constructor(
    private readonly format: UsageFormat,
    private readonly checks: LineCheckContext,
  ) {
    super();
  }

  override _transform(chunk: Buffer | string, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.bytes += chunk.length;
      const text = this.rest + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
      let out = '';
      let start = 0;
      let at: number;
      while ((at = text.indexOf('\n', start)) >= 0) {
        out += this.line(text.charCodeAt(at - 1) === 13 && at > start ? text.slice(start, at - 1) : text.slice(start, at));
        start = at + 1;
      }
      this.rest = text.slice(start);
      if (this.rest.length > MAX_LINE) throw new UsageFileError(`Line ${this.lineNo + 1} is longer than ${MAX_LINE} characters`);
      if (out) this.push(out);
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      const last = this.rest + this.decoder.end();
      let out = last.length ? this.line(last.replace(/\r$/, '')) : '';
      if (this.format === 'csv') {
        if (this.pending) out += this.row(this.pending.first, [], 'malformed CSV record: a quoted field is not closed');
        if (!this.columns) throw new UsageFileError('The CSV file is empty: it needs a header line (docs/consumption.md, "File format")');
      }
      if (out) this.push(out);
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  private line(line: string): string {
    this.lineNo++;
    return this.format === 'csv' ? this.csvLine(line) : this.jsonLine(line);
  }

  private jsonLine(line: string): string {
    if (!line.trim()) return '';
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      return this.row(this.lineNo, [], 'malformed JSON line');
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) return this.row(this.lineNo, [], 'a line must hold one JSON object');
    const values: Array<string | null> = new Array<string | null>(FIELDS.length).fill(null);
    for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
      const i = KEYS.get(k) ?? KEYS.get(norm(k));
      if (i !== undefined) values[i] = field(v);
    }
    return this.row(this.lineNo, values, null);
  }

  /**
   * CSV, line by line: a line without quotes is split on commas (the common case, and fast); a line
   * with quotes is parsed by csv-parse, joined with the next lines while a quoted field spans them.
   * A record's line number is its first line's.
   */
  private csvLine(line: string): string {
    if (this.lineNo === 1) line = line.replace(/^\uFEFF/, '');
    let fields: string[];
    let first = this.lineNo;
    if (this.pending) {
      this.pending.text += `\n${line}`;
      if (quotes(this.pending.text) % 2 !== 0) {
        if (this.pending.text.length > MAX_LINE)
          throw new UsageFileError(`The record starting on line ${this.pending.first} is longer than ${MAX_LINE} characters`);
        return '';
      }
    } else {
      if (!line.trim()) return '';
      if (line.includes('"')) {
        this.pending = { text: line, first: this.lineNo };
        if (quotes(line) % 2 !== 0) return '';
      }
    }
    if (this.pending) {
      const text = this.pending.text;
      first = this.pending.first;
      this.pending = null;
      try {
        fields = (parse(text, { relax_column_count: true, trim: true }) as string[][])[0] ?? [];
      } catch (e) {
        if (!this.columns) throw new UsageFileError(`The CSV header cannot be read: ${(e as Error).message.slice(0, 200)}`);
        return this.row(first, [], `malformed CSV record: ${(e as Error).message.slice(0, 200)}`);
      }
    } else if (this.plain && isPlain(line, this.commas)) {
      // The documented columns in order, and nothing to unquote: as it is when it passes as written,
      // else its fields as they are (trimmed by the checks).
      if (plainLinePasses(line, this.commas, this.checks)) {
        this.rows++;
        const month = line.slice(this.commas[3] + 1, this.commas[3] + 8);
        if (month !== this.lastMonth) {
          this.lastMonth = month;
          this.months.add(month);
        }
        return `${first},${line},,\n`;
      }
      return this.row(first, line.split(','), null, true);
    } else {
      fields = line.split(',');
    }
    if (!this.columns) {
      const names = fields.map((f) => norm(f.trim()));
      const missing = REQUIRED.filter((r) => !names.some((n) => ALIASES[r].includes(n)));
      if (missing.length) throw new UsageFileError(`The CSV header lacks ${missing.join(', ')} (docs/consumption.md, "File format")`);
      this.columns = FIELDS.map(() => -1);
      // Two columns for one field: the last one wins.
      names.forEach((n, col) => {
        const i = KEYS.get(n);
        if (i !== undefined) this.columns![i] = col;
      });
      this.plain = names.length === FIELDS.length && this.columns.every((c, i) => c === i);
      return '';
    }
    const columns = this.columns;
    return this.row(
      first,
      FIELDS.map((_, i) => (columns[i] >= 0 ? field(fields[columns[i]]) : null)),
      null,
    );
  }

  /**
   * One COPY line: the line checked (NUL cannot be stored in text, so a field holding one makes the
   * line malformed, without it). `raw`: the fields as split from a plain line (no NUL; not yet trimmed).
   */
  private row(lineNo: number, values: Array<string | null>, error: string | null, raw = false): string {
    this.rows++;
    const f = this.fields;
    let e = error;
    const value = (i: number): string | null => {
      let x = values[i] ?? null;
      if (!raw && x !== null && x.includes(NUL)) {
        x = x.split(NUL).join('');
        e ??= 'a field holds a NUL character';
      }
      return trimField(x);
    };
    f.recordId = value(0);
    f.version = value(1);
    f.tenantId = value(2);
    f.meterId = value(3);
    f.usageDate = value(4);
    f.quantity = value(5);
    f.unit = value(6);
    f.unitCost = value(7);
    f.currency = value(8);
    const c = checkLine(f, e, this.checks, this.checked);
    if (c.usageDate !== null && c.usageDate !== this.lastDate) {
      this.lastDate = c.usageDate;
      this.months.add(c.usageDate.slice(0, 7));
    }
    return (
      `${lineNo},${csv(f.recordId)},${c.version ?? ''},${csv(f.tenantId)},${csv(f.meterId)},${c.usageDate ?? ''},${c.quantity ?? ''},` +
      `${csv(f.unit)},${c.unitCost ?? ''},${csv(c.currency)},${c.own ?? ''},${csv(c.detail)}\n`
    );
  }
}

/** Exactly nine fields (their commas' positions in `at`), and nothing COPY would read otherwise than the split on commas (quote, CR, NUL). */
function isPlain(line: string, at: Int32Array): boolean {
  let commas = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 44) {
      if (commas < at.length) at[commas] = i;
      commas++;
    } else if (c === 34 || c === 13 || c === 0) return false;
  }
  return commas === FIELDS.length - 1;
}

function quotes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n;
}
