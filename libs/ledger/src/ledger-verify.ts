import { EntityManager } from 'typeorm';
import { Dec } from '#disty/core';
import { MANUAL_SOURCE } from './domain/accounts';
import { NO_RESELLER } from './ledger.sql';

/**
 * Recomputes the ledger from its lines and compares (docs/accounting.md §6): each entry balanced per
 * currency with ≥ 2 lines, maintained balances and daily totals equal to their lines, nothing dated
 * after `today`, no manual entry on a control account, and the base amounts (verifyBase). Returns
 * every difference. Run it in one snapshot (LedgerService.verify).
 */
export async function verifyLedger(em: EntityManager, today: string): Promise<string[]> {
  const problems: string[] = [];
  const unbalanced: Array<{ entry_id: string; currency: string; d: string; c: string }> = await em.query(
    `SELECT entry_id, currency, sum(debit) AS d, sum(credit) AS c FROM journal_lines
      GROUP BY entry_id, currency HAVING sum(debit) <> sum(credit)`,
  );
  for (const u of unbalanced) problems.push(`entry ${u.entry_id} is unbalanced in ${u.currency}: debit ${u.d} credit ${u.c}`);
  const thin: Array<{ id: string; n: number }> = await em.query(
    `SELECT e.id, count(l.id)::int AS n FROM journal_entries e LEFT JOIN journal_lines l ON l.entry_id = e.id
      GROUP BY e.id HAVING count(l.id) < 2`,
  );
  for (const t of thin) problems.push(`entry ${t.id} has ${t.n} line(s)`);
  for (const kept of KEPT_TOTALS) problems.push(...(await verifyKeptTotals(em, kept)));
  // docs/money-integrity.md §5: nothing dated after today, and control accounts move only through their documents.
  const future: Array<{ id: string; day: string }> = await em.query(
    `SELECT id, to_char(entry_date, 'YYYY-MM-DD') AS day FROM journal_entries WHERE entry_date > $1::date ORDER BY entry_date, id`,
    [today],
  );
  for (const e of future) problems.push(`entry ${e.id} is dated ${e.day}, after today`);
  const manualOnControl: Array<{ id: string; account_code: string }> = await em.query(
    `SELECT DISTINCT e.id, l.account_code FROM journal_entries e
       JOIN journal_lines l ON l.entry_id = e.id JOIN accounts a ON a.code = l.account_code
      WHERE e.source_type = $1 AND a.control ORDER BY e.id, l.account_code`,
    [MANUAL_SOURCE],
  );
  for (const m of manualOnControl) problems.push(`manual entry ${m.id} moves control account ${m.account_code}`);
  problems.push(...(await verifyBase(em)));
  return problems;
}

/**
 * The base-amount checks of verifyLedger (docs/accounting.md §10): every entry balanced in the
 * reporting currency, and a count of lines that have no base amount (posted before base amounts
 * existed, in a currency with no rate then). Base balances and daily totals: verifyKeptTotals.
 */
async function verifyBase(em: EntityManager): Promise<string[]> {
  const problems: string[] = [];
  const unbalanced: Array<{ entry_id: string; d: string; c: string }> = await em.query(
    `SELECT entry_id, sum(base_debit) AS d, sum(base_credit) AS c FROM journal_lines
      GROUP BY entry_id HAVING count(base_debit) = count(*) AND sum(base_debit) <> sum(base_credit)`,
  );
  for (const u of unbalanced) problems.push(`entry ${u.entry_id} is unbalanced in the reporting currency: base debit ${u.d} credit ${u.c}`);
  const [missing]: Array<{ lines: number; entries: number }> = await em.query(
    `SELECT count(*)::int AS lines, count(DISTINCT entry_id)::int AS entries FROM journal_lines WHERE base_debit IS NULL OR base_credit IS NULL`,
  );
  if (missing.lines) {
    problems.push(
      `${missing.lines} journal line(s) in ${missing.entries} entr(y/ies) have no base amount (posted before base amounts, no rate for their date): the base trial balance leaves them out`,
    );
  }
  return problems;
}

/** A total the balance trigger keeps, and the key its lines are grouped by. */
interface KeptTotal {
  what: string;
  table: string;
  /** Key columns, named alike in the table and in `lineKeys`. */
  keys: string;
  lineKeys: string;
  /** The key as printed, over the joined key columns. */
  label: string;
}

const KEPT_TOTALS: KeptTotal[] = [
  {
    what: 'balance',
    table: 'account_balances',
    keys: 'account_code, reseller_key, currency',
    lineKeys: `account_code, coalesce(reseller_id, '${NO_RESELLER}'::uuid) AS reseller_key, currency`,
    label: `concat_ws('/', account_code, reseller_key, currency)`,
  },
  {
    what: 'daily total',
    table: 'ledger_daily_totals',
    keys: 'account_code, currency, day',
    lineKeys: 'account_code, currency, entry_date AS day',
    label: `concat_ws('/', account_code, currency, to_char(day, 'YYYY-MM-DD'))`,
  },
];

/**
 * One kept total against its lines, native and base amounts in one pass over journal_lines: a kept
 * row without lines, lines without a kept row, or different sums. Base amounts compare where both
 * exist (a missing row is already reported in native amounts).
 */
async function verifyKeptTotals(em: EntityManager, t: KeptTotal): Promise<string[]> {
  const rows: Array<Record<'key' | 'kept_d' | 'kept_c' | 'kept_bd' | 'kept_bc' | 'd' | 'c' | 'bd' | 'bc', string | null>> = await em.query(
    `WITH l AS (SELECT ${t.lineKeys}, sum(debit) AS d, sum(credit) AS c,
                       coalesce(sum(base_debit), 0) AS bd, coalesce(sum(base_credit), 0) AS bc
                  FROM journal_lines GROUP BY 1, 2, 3)
     SELECT ${t.label} AS key, k.debit_total AS kept_d, k.credit_total AS kept_c,
            k.base_debit_total AS kept_bd, k.base_credit_total AS kept_bc, l.d, l.c, l.bd, l.bc
       FROM ${t.table} k FULL JOIN l USING (${t.keys})
      WHERE k.debit_total IS DISTINCT FROM l.d OR k.credit_total IS DISTINCT FROM l.c
         OR k.base_debit_total <> l.bd OR k.base_credit_total <> l.bc`,
  );
  const problems: string[] = [];
  const same = (x: string | null, y: string | null) => new Dec(x ?? 0).eq(y ?? 0);
  for (const r of rows) {
    if (!same(r.kept_d, r.d) || !same(r.kept_c, r.c)) {
      problems.push(`${t.what} ${r.key}: kept ${r.kept_d ?? 0}/${r.kept_c ?? 0}, lines ${r.d ?? 0}/${r.c ?? 0}`);
    }
    if (r.kept_bd !== null && r.bd !== null && (!same(r.kept_bd, r.bd) || !same(r.kept_bc, r.bc))) {
      problems.push(`base ${t.what} ${r.key}: kept ${r.kept_bd}/${r.kept_bc}, lines ${r.bd}/${r.bc}`);
    }
  }
  return problems;
}
