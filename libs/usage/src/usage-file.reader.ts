import { parse } from 'csv-parse/sync';
import { StringDecoder } from 'string_decoder';
import { Readable } from 'stream';

export const USAGE_FORMATS = ['csv', 'jsonl'] as const;
export type UsageFormat = (typeof USAGE_FORMATS)[number];

/** One line of a usage file as read, every field still text (validated set-based in SQL). */
export interface StagedRow {
  lineNo: number;
  recordId: string | null;
  recordVersion: string | null;
  tenantId: string | null;
  meterId: string | null;
  usageDate: string | null;
  quantity: string | null;
  unit: string | null;
  unitCost: string | null;
  currency: string | null;
  /** Why the line could not be read at all (malformed CSV record or JSON), else null. */
  error: string | null;
}

/** A whole-file problem (bad header, over-long line): the import is refused with a 400. */
export class UsageFileError extends Error {}

/** Field names as vendors spell them (docs/consumption.md, "File format"), normalised (lower case, letters and digits). */
const ALIASES: Record<Exclude<keyof StagedRow, 'lineNo' | 'error'>, string[]> = {
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
const REQUIRED: Array<keyof typeof ALIASES> = ['recordId', 'tenantId', 'meterId', 'usageDate', 'quantity'];
const MAX_LINE = 16 * 1024;
const MAX_FIELD = 200;

const norm = (k: string) => k.toLowerCase().replace(/[^a-z0-9]/g, '');
const field = (v: unknown): string | null => {
  if (v === undefined || v === null) return null;
  const s = (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v)).trim();
  return s === '' ? null : s.slice(0, MAX_FIELD);
};

function fromObject(o: Record<string, unknown>, keys: Map<string, keyof typeof ALIASES>, lineNo: number): StagedRow {
  const row: StagedRow = {
    lineNo, recordId: null, recordVersion: null, tenantId: null, meterId: null, usageDate: null, quantity: null, unit: null, unitCost: null,
    currency: null, error: null,
  };
  for (const [k, v] of Object.entries(o)) {
    const target = keys.get(k) ?? keys.get(norm(k));
    if (target) row[target] = field(v);
  }
  return withoutNul(row);
}

/** PostgreSQL text cannot hold NUL: a line with one in a field is malformed, and keeps none. */
function withoutNul(row: StagedRow): StagedRow {
  const fields = ['recordId', 'recordVersion', 'tenantId', 'meterId', 'usageDate', 'quantity', 'unit', 'unitCost', 'currency'] as const;
  if (!fields.some((f) => row[f]?.includes('\u0000'))) return row;
  for (const f of fields) row[f] = row[f]?.split('\u0000').join('') ?? null;
  return { ...row, error: row.error ?? 'a field holds a NUL character' };
}

const aliasMap = () => new Map(Object.entries(ALIASES).flatMap(([target, names]) => names.map((n) => [n, target as keyof typeof ALIASES])));

/**
 * Reads a usage file from a stream, one row at a time (never the whole file in memory): CSV with
 * a header line, or JSON lines (one object per line). Line numbers are the file's (the CSV
 * header is line 1). A record that cannot be read is yielded with `error`; a bad header or an
 * over-long line throws UsageFileError.
 */
export async function* readUsageFile(input: Readable, format: UsageFormat): AsyncGenerator<StagedRow> {
  const keys = aliasMap();
  if (format === 'csv') {
    yield* readCsv(input, keys);
    return;
  }
  let lineNo = 0;
  for await (const line of splitLines(input)) {
    lineNo++;
    if (!line.trim()) continue;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      yield { ...fromObject({}, keys, lineNo), error: 'malformed JSON line' };
      continue;
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) {
      yield { ...fromObject({}, keys, lineNo), error: 'a line must hold one JSON object' };
      continue;
    }
    yield fromObject(o as Record<string, unknown>, keys, lineNo);
  }
}

/** The stream's lines (LF or CRLF), decoded as UTF-8, holding at most one line in memory. */
async function* splitLines(input: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let n = 0;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    rest += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    let at: number;
    while ((at = rest.indexOf('\n', start)) >= 0) {
      n++;
      yield rest.slice(start, at).replace(/\r$/, '');
      start = at + 1;
    }
    rest = rest.slice(start);
    if (rest.length > MAX_LINE) throw new UsageFileError(`Line ${n + 1} is longer than ${MAX_LINE} characters`);
  }
  rest += decoder.end();
  if (rest.length) yield rest.replace(/\r$/, '');
}

type Target = keyof typeof ALIASES;

/**
 * CSV, line by line: a line without quotes is split on commas (the common case, and fast); a line
 * with quotes is parsed by csv-parse, joined with the next lines while a quoted field spans them.
 * A record's line number is its first line's.
 */
async function* readCsv(input: Readable, keys: Map<string, Target>): AsyncGenerator<StagedRow> {
  let columns: Array<Target | undefined> | null = null;
  let lineNo = 0;
  let pending: { text: string; first: number } | null = null;
  const record = (fields: string[], first: number): StagedRow => {
    const row = fromObject({}, keys, first);
    fields.forEach((f, i) => {
      const target = columns![i];
      if (target) row[target] = field(f);
    });
    return withoutNul(row);
  };
  for await (let line of splitLines(input)) {
    lineNo++;
    if (lineNo === 1) line = line.replace(/^\uFEFF/, '');
    if (pending) {
      pending.text += `\n${line}`;
      if (quotes(pending.text) % 2 !== 0) {
        if (pending.text.length > MAX_LINE) throw new UsageFileError(`The record starting on line ${pending.first} is longer than ${MAX_LINE} characters`);
        continue;
      }
    } else {
      if (!line.trim()) continue;
      if (line.includes('"')) {
        pending = { text: line, first: lineNo };
        if (quotes(line) % 2 !== 0) continue;
      }
    }
    let fields: string[];
    const first = pending?.first ?? lineNo;
    if (pending) {
      const text = pending.text;
      pending = null;
      try {
        fields = (parse(text, { relax_column_count: true, trim: true }) as string[][])[0] ?? [];
      } catch (e) {
        if (!columns) throw new UsageFileError(`The CSV header cannot be read: ${(e as Error).message.slice(0, 200)}`);
        yield { ...fromObject({}, keys, first), error: `malformed CSV record: ${(e as Error).message.slice(0, 200)}` };
        continue;
      }
    } else {
      fields = line.split(',');
    }
    if (!columns) {
      const names = fields.map((f) => norm(f.trim()));
      const missing = REQUIRED.filter((r) => !names.some((n) => ALIASES[r].includes(n)));
      if (missing.length) throw new UsageFileError(`The CSV header lacks ${missing.join(', ')} (docs/consumption.md, "File format")`);
      columns = names.map((n) => keys.get(n));
      continue;
    }
    yield record(fields, first);
  }
  if (pending) yield { ...fromObject({}, keys, pending.first), error: 'malformed CSV record: a quoted field is not closed' };
  if (!columns) throw new UsageFileError('The CSV file is empty: it needs a header line (docs/consumption.md, "File format")');
}

function quotes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n;
}
