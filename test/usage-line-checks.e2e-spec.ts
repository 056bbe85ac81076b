import fc from 'fast-check';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'stream';
import { pipeline } from 'stream/promises';
import { CURRENCIES } from '#disty/core';
import { UsageCopyTransform } from '../libs/usage/src/usage-file.reader';
import { checkLines, COPY_STAGE, CREATE_REFS, CREATE_STAGE } from '../libs/usage/src/usage.sql';

/**
 * The line's own checks moved from SQL into the transform (docs/consumption.md §10): the reference
 * below is the set-based SQL they replace, kept here word for word. For crafted and random lines
 * both must give each line the same reason, detail, fields and typed values (no tenant is known,
 * so a line that passes its own checks is `unknown-tenant` in both).
 */
const digits = (x: string, rest: string) => `translate(${x}, '0123456789', '') = '${rest}'`;
const decimal = (x: string, n: number) =>
  `CASE strpos(${x}, '.') WHEN 0 THEN length(${x}) <= ${n} AND ${digits(x, '')}
     ELSE strpos(${x}, '.') BETWEEN 2 AND ${n + 1} AND length(${x}) - strpos(${x}, '.') BETWEEN 1 AND 6 AND ${digits(x, '.')} END`;
const TRIMMED = ['record_id', 'version', 'tenant_id', 'meter_id', 'usage_date', 'quantity', 'unit', 'unit_cost', 'currency'];
const REFERENCE = `
  CREATE TEMP TABLE ref_checked AS
  WITH own AS (
    SELECT s.line_no, s.record_id, s.version, s.tenant_id, s.meter_id, s.usage_date, s.quantity, s.unit, s.unit_cost, s.currency, s.error, CASE
             WHEN s.error IS NOT NULL THEN 'malformed'
             WHEN s.record_id IS NULL THEN 'missing-record-id'
             WHEN s.version IS NOT NULL AND NOT (${digits('s.version', '')} AND length(ltrim(s.version, '0')) BETWEEN 1 AND 9) THEN 'bad-version'
             WHEN s.usage_date IS NULL OR NOT (s.usage_date LIKE '____-__-__' AND ${digits('s.usage_date', '--')}) OR s.usage_date LIKE '0000%'
                  OR NOT pg_input_is_valid(s.usage_date, 'date') THEN 'bad-date'
             WHEN s.usage_date > $2 THEN 'future-date'
             WHEN left(s.usage_date, 7) = ANY($3::text[]) THEN 'closed-month'
             WHEN s.quantity IS NULL OR NOT ${decimal('s.quantity', 14)} THEN 'bad-quantity'
             WHEN s.unit_cost IS NOT NULL AND NOT ${decimal('s.unit_cost', 10)} THEN 'bad-unit-cost'
             WHEN s.currency IS NOT NULL AND upper(s.currency) <> ALL($4::text[]) THEN 'bad-currency'
           END AS own
      FROM (SELECT line_no, error, ${TRIMMED.map((c) => `left(nullif(btrim(${c}, E' \\t'), ''), 200) AS ${c}`).join(', ')}
              FROM ref_stage OFFSET 0) s
    OFFSET 0),
  typed AS (
    SELECT line_no, record_id, tenant_id, meter_id, unit, own,
           CASE WHEN own IS NULL THEN coalesce(version, '1')::int END AS version,
           CASE WHEN own IS NULL THEN usage_date::date END AS usage_date,
           CASE WHEN own IS NULL THEN quantity::numeric END AS quantity,
           CASE WHEN own IS NULL THEN unit_cost::numeric END AS unit_cost,
           upper(currency) AS currency,
           CASE WHEN own IS NOT NULL THEN CASE own
             WHEN 'malformed' THEN error
             WHEN 'missing-record-id' THEN 'the record id is missing'
             WHEN 'bad-version' THEN 'record version ' || version || ' is not a whole number from 1'
             WHEN 'bad-date' THEN 'usage date ' || coalesce(usage_date, '(none)') || ' is not a date (YYYY-MM-DD)'
             WHEN 'future-date' THEN 'usage date ' || usage_date || ' is after today (' || $2 || ')'
             WHEN 'closed-month' THEN 'usage date ' || usage_date || ' is in a closed month'
             WHEN 'bad-quantity' THEN 'quantity ' || coalesce(quantity, '(none)') || ' is not a number ≥ 0 with at most 6 decimals'
             WHEN 'bad-unit-cost' THEN 'vendor unit cost ' || unit_cost || ' is not a number ≥ 0 with at most 6 decimals'
             WHEN 'bad-currency' THEN 'currency ' || currency || ' is not supported'
           END END AS detail
      FROM own)
  SELECT s.line_no, s.record_id, s.version, s.usage_date, s.quantity, coalesce(s.unit, m.unit) AS unit, s.unit_cost,
         coalesce(s.currency, sub.currency) AS vendor_currency, s.tenant_id, s.meter_id AS meter_code, s.unit AS raw_unit, s.detail,
         coalesce(s.own, CASE WHEN sub.id IS NULL THEN 'unknown-tenant' END) AS reason
    FROM typed s
    LEFT JOIN consumption_subscriptions sub ON sub.vendor_id = $1 AND sub.tenant_id = s.tenant_id
    LEFT JOIN usage_ref_meters m ON m.meter_id = s.meter_id`;

const TODAY = '2026-11-05';
const CLOSED = ['2026-09'];
const VENDOR = '00000000-0000-4000-8000-000000000000';
const HEADER = 'RecordId,RecordVersion,TenantId,MeterId,UsageDate,Quantity,Unit,VendorUnitCost,Currency';

/** Crafted fields, each a plain CSV field (no comma, quote, CR or NUL): the checks' edge cases. */
const CRAFTED: string[][] = [
  ['R1', '1', 'T1', 'VM', '2026-10-01', '24', 'hour', '0.07', 'AUD'],
  [' R2\t', ' 0002 ', ' T1 ', 'VM', ' 2026-10-31 ', ' 24.500000 ', ' hour ', ' 0.0700 ', ' aud '],
  ['', '1', 'T1', 'VM', '2026-10-01', '1', '', '', ''],
  [' \t ', '', 'T1', 'VM', '2026-10-01', '1', '', '', ''],
  ['R3', '0', 'T1', 'VM', '2026-10-01', '1', '', '', ''],
  ['R4', '000', 'T1', 'VM', '2026-10-01', '1', '', '', ''],
  ['R5', '1234567890', 'T1', 'VM', '2026-10-01', '1', '', '', ''],
  ['R6', '0123456789', 'T1', 'VM', '2026-10-01', '1', '', '', ''],
  ['R7', '-1', 'T1', 'VM', '2026-10-01', '1', '', '', ''],
  ['R8', '1.0', 'T1', 'VM', '2026-10-01', '1', '', '', ''],
  ['R9', '１', 'T1', 'VM', '2026-10-01', '1', '', '', ''],
  ['R10', '1', 'T1', 'VM', '', '1', '', '', ''],
  ['R11', '1', 'T1', 'VM', '2026-02-29', '1', '', '', ''],
  ['R12', '1', 'T1', 'VM', '2024-02-29', '1', '', '', ''],
  ['R13', '1', 'T1', 'VM', '1900-02-29', '1', '', '', ''],
  ['R14', '1', 'T1', 'VM', '2000-02-29', '1', '', '', ''],
  ['R15', '1', 'T1', 'VM', '0000-01-01', '1', '', '', ''],
  ['R16', '1', 'T1', 'VM', '0001-01-01', '1', '', '', ''],
  ['R17', '1', 'T1', 'VM', '2026-13-01', '1', '', '', ''],
  ['R18', '1', 'T1', 'VM', '2026-00-10', '1', '', '', ''],
  ['R19', '1', 'T1', 'VM', '2026-04-31', '1', '', '', ''],
  ['R20', '1', 'T1', 'VM', '2026-04-00', '1', '', '', ''],
  ['R21', '1', 'T1', 'VM', '2026/10/01', '1', '', '', ''],
  ['R22', '1', 'T1', 'VM', '2026-1-01', '1', '', '', ''],
  ['R23', '1', 'T1', 'VM', '20261001', '1', '', '', ''],
  ['R24', '1', 'T1', 'VM', '２026-10-01', '1', '', '', ''],
  ['R25', '1', 'T1', 'VM', '2026-10-01T00:00', '1', '', '', ''],
  ['R26', '1', 'T1', 'VM', '2026-11-05', '1', '', '', ''],
  ['R27', '1', 'T1', 'VM', '2026-11-06', '1', '', '', ''],
  ['R28', '1', 'T1', 'VM', '9999-12-31', '1', '', '', ''],
  ['R29', '1', 'T1', 'VM', '2026-09-30', '1', '', '', ''],
  ['R30', '1', 'T1', 'VM', '2026-09-30', 'x', '', '', ''],
  ['R31', '1', 'T1', 'VM', '2026-09-30', '1', '', 'x', 'XXX'],
  ['R32', 'x', 'T1', 'VM', '2026-09-30', '1', '', '', ''],
  ['R33', '1', 'T1', 'VM', '2026-10-01', '', '', '', ''],
  ['R34', '1', 'T1', 'VM', '2026-10-01', '12345678901234', '', '', ''],
  ['R35', '1', 'T1', 'VM', '2026-10-01', '123456789012345', '', '', ''],
  ['R36', '1', 'T1', 'VM', '2026-10-01', '12345678901234.123456', '', '', ''],
  ['R37', '1', 'T1', 'VM', '2026-10-01', '1.1234567', '', '', ''],
  ['R38', '1', 'T1', 'VM', '2026-10-01', '.5', '', '', ''],
  ['R39', '1', 'T1', 'VM', '2026-10-01', '5.', '', '', ''],
  ['R40', '1', 'T1', 'VM', '2026-10-01', '1.2.3', '', '', ''],
  ['R41', '1', 'T1', 'VM', '2026-10-01', '-1', '', '', ''],
  ['R42', '1', 'T1', 'VM', '2026-10-01', '1e3', '', '', ''],
  ['R43', '1', 'T1', 'VM', '2026-10-01', '1 000', '', '', ''],
  ['R44', '1', 'T1', 'VM', '2026-10-01', '٣', '', '', ''],
  ['R45', '1', 'T1', 'VM', '2026-10-01', '0', '', '', ''],
  ['R46', '1', 'T1', 'VM', '2026-10-01', '000.000000', '', '', ''],
  ['R47', '1', 'T1', 'VM', '2026-10-01', '1', '', '1234567890', ''],
  ['R48', '1', 'T1', 'VM', '2026-10-01', '1', '', '12345678901', ''],
  ['R49', '1', 'T1', 'VM', '2026-10-01', '1', '', '1234567890.123456', ''],
  ['R50', '1', 'T1', 'VM', '2026-10-01', '1', '', '.1', ''],
  ['R51', '1', 'T1', 'VM', '2026-10-01', '1', '', '0.1234567', ''],
  ['R52', '1', 'T1', 'VM', '2026-10-01', '1', '', '', 'usd'],
  ['R53', '1', 'T1', 'VM', '2026-10-01', '1', '', '', 'UsD'],
  ['R54', '1', 'T1', 'VM', '2026-10-01', '1', '', '', 'US'],
  ['R55', '1', 'T1', 'VM', '2026-10-01', '1', '', '', 'AUDX'],
  ['R56', '1', 'T1', 'VM', '2026-10-01', '1', '', '', 'äud'],
  ['R57', '1', 'T1', 'VM', '2026-10-01', '1', '', '', 'jpy'],
  ['R58', '1', 'T1', 'VM', '2026-10-01', '1', '', '', '\u00a0AUD'],
  ['R59', '1', 'T1', 'VM', '2026-10-01', '1', '', '', 'eur\t'],
  ['R60', '1', 'T1', 'VM', '2026-10-01', '1', '\u00a0hour', '', ''],
  ['R' + 'x'.repeat(250), '1', 'T' + 'é'.repeat(300), 'VM', '2026-10-01', '1', '', '', ''],
  ['😀'.repeat(210), '1', 'T1', '😀'.repeat(199) + 'ab', '2026-10-01', '1', '', '', ''],
  ['R61', '1', 'T1', 'VM', '2026-10-01', ' '.repeat(5) + '1' + '\t', '', '', ''],
  ['R62', '\t7\t', 'T1', 'VM', '\t2026-10-02', '3', '', '', ''],
  ['R63', '1', 'T1', 'VM', '2026-10-01', '99999999999999.999999', '', '9999999999.999999', 'nzd'],
  ['R64', '  ', '  ', '  ', '2026-10-01', '1', '  ', '  ', '  '],
  ['R65', '1', 'T1', 'VM', '2026-10-01', '1', 'GB', '0.000000', 'AUD'],
  ['R66', '+1', 'T1', 'VM', '2026-10-01', '+1', '', '', ''],
  ['R67', '1', 'T1', 'VM', '2026-10-01', '1', '', '', '\\N'],
  ['\\N', '1', '\\N', 'VM', '2026-10-01', '1', '', '', ''],
];

/** Random lines: each field drawn from values near its checks' boundaries, with spaces and tabs around. */
const piece = (values: string[]) =>
  fc.tuple(fc.constantFrom('', ' ', '\t', ' \t'), fc.constantFrom(...values), fc.constantFrom('', ' ', '\t')).map(([a, v, b]) => a + v + b);
const randomLine = fc.tuple(
  piece(['', 'R1', 'r-2', 'ü', '0']),
  piece(['', '1', '2', '0', '007', '1000000000', '999999999', 'a', '1.5']),
  piece(['', 'T1', 'T2']),
  piece(['', 'VM', 'GB']),
  piece(['', '2026-10-01', '2026-09-15', '2026-11-05', '2026-11-06', '2026-02-29', '2028-02-29', '2026-10-1', 'x', '0000-10-01']),
  piece(['', '0', '1', '24.5', '1.1234567', '.5', '1.', 'abc', '123456789012345', '12345678901234.000001']),
  piece(['', 'hour', 'GB']),
  piece(['', '0.07', '1234567890.1', '12345678901', 'x']),
  piece(['', 'AUD', 'aud', 'Usd', 'XYZ', 'AU']),
);

async function stage(lines: string[][]): Promise<Readable> {
  const file = [HEADER, ...lines.map((l) => l.join(','))].join('\n') + '\n';
  return Readable.from([Buffer.from(file)]);
}

describe('usage line checks: the transform agrees with the SQL checks it replaced', () => {
  let c: Client;

  beforeAll(async () => {
    c = new Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
  });
  afterAll(() => c.end());

  async function compare(lines: string[][]): Promise<number> {
    await c.query('BEGIN');
    try {
      for (const sql of CREATE_REFS) await c.query(sql);
      // The reference: the fields as the transform staged them before (a plain line passed as it is).
      await c.query(`CREATE TEMP TABLE ref_stage (line_no integer, record_id text COLLATE "C", version text, tenant_id text, meter_id text,
                       usage_date text, quantity text, unit text, unit_cost text, currency text, error text)`);
      const cols = (i: number) => lines.map((l) => (l[i] === '' ? null : l[i]));
      await c.query(
        `INSERT INTO ref_stage SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                                    $8::text[], $9::text[], $10::text[], $11::text[])`,
        [lines.map((_, i) => i + 2), ...[0, 1, 2, 3, 4, 5, 6, 7, 8].map(cols), lines.map(() => null)],
      );
      await c.query(REFERENCE, [VENDOR, TODAY, CLOSED, CURRENCIES]);
      // The transform, through COPY, then the SQL that is left.
      await c.query(CREATE_STAGE);
      const t = new UsageCopyTransform('csv', { today: TODAY, currencies: new Set(CURRENCIES) });
      await pipeline(await stage(lines), t, c.query(copyFrom(COPY_STAGE)));
      await c.query(checkLines(true), [VENDOR, CLOSED]);
      const cmp = `line_no, reason, detail, record_id, tenant_id, meter_code, raw_unit, unit,
                   CASE WHEN reason = 'unknown-tenant' THEN version END AS version,
                   CASE WHEN reason = 'unknown-tenant' THEN usage_date::text END AS usage_date,
                   CASE WHEN reason = 'unknown-tenant' THEN quantity::text END AS quantity,
                   CASE WHEN reason = 'unknown-tenant' THEN unit_cost::text END AS unit_cost,
                   CASE WHEN reason = 'unknown-tenant' THEN vendor_currency END AS vendor_currency`;
      const ref = await c.query(`SELECT ${cmp} FROM ref_checked ORDER BY line_no`);
      const got = await c.query(`SELECT ${cmp} FROM usage_checked ORDER BY line_no`);
      expect(got.rows).toEqual(ref.rows);
      expect(t.months).toEqual(
        new Set(
          (ref.rows as Array<{ reason: string; usage_date: string | null; line_no: number }>)
            .filter((r) => !['malformed', 'missing-record-id', 'bad-version', 'bad-date', 'future-date'].includes(r.reason))
            .map((r) => lines[r.line_no - 2][4].trim().slice(0, 7)),
        ),
      );
      return ref.rows.length;
    } finally {
      await c.query('ROLLBACK');
    }
  }

  it('gives crafted lines the same reason, detail, fields and values', async () => {
    expect(await compare(CRAFTED)).toBe(CRAFTED.length);
  });

  it('gives random lines the same reason, detail, fields and values', async () => {
    const lines = fc.sample(randomLine, { numRuns: 20_000, seed: 18 });
    expect(await compare(lines)).toBe(lines.length);
  });
});
