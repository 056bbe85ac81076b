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
  const balances: Array<{
    account_code: string;
    reseller_key: string;
    currency: string;
    kept_d: string;
    kept_c: string;
    d: string;
    c: string;
  }> = await em.query(
    `WITH l AS (
         SELECT account_code, coalesce(reseller_id, '${NO_RESELLER}'::uuid) AS reseller_key, currency,
                sum(debit) AS d, sum(credit) AS c FROM journal_lines GROUP BY 1, 2, 3)
       SELECT coalesce(b.account_code, l.account_code) AS account_code, coalesce(b.reseller_key, l.reseller_key) AS reseller_key,
              coalesce(b.currency, l.currency) AS currency, b.debit_total AS kept_d, b.credit_total AS kept_c, l.d, l.c
         FROM account_balances b FULL JOIN l USING (account_code, reseller_key, currency)
        WHERE b.debit_total IS DISTINCT FROM l.d OR b.credit_total IS DISTINCT FROM l.c`,
  );
  for (const b of balances) {
    if (new Dec(b.kept_d ?? 0).eq(b.d ?? 0) && new Dec(b.kept_c ?? 0).eq(b.c ?? 0)) continue;
    problems.push(
      `balance ${b.account_code}/${b.reseller_key}/${b.currency}: kept ${b.kept_d ?? 0}/${b.kept_c ?? 0}, lines ${b.d ?? 0}/${b.c ?? 0}`,
    );
  }
  const daily: Array<{
    account_code: string;
    currency: string;
    day: string;
    kept_d: string;
    kept_c: string;
    d: string;
    c: string;
  }> = await em.query(
    `WITH l AS (SELECT account_code, currency, entry_date AS day, sum(debit) AS d, sum(credit) AS c FROM journal_lines GROUP BY 1, 2, 3)
       SELECT coalesce(t.account_code, l.account_code) AS account_code, coalesce(t.currency, l.currency) AS currency,
              to_char(coalesce(t.day, l.day), 'YYYY-MM-DD') AS day, t.debit_total AS kept_d, t.credit_total AS kept_c, l.d, l.c
         FROM ledger_daily_totals t FULL JOIN l USING (account_code, currency, day)
        WHERE t.debit_total IS DISTINCT FROM l.d OR t.credit_total IS DISTINCT FROM l.c`,
  );
  for (const b of daily) {
    if (new Dec(b.kept_d ?? 0).eq(b.d ?? 0) && new Dec(b.kept_c ?? 0).eq(b.c ?? 0)) continue;
    problems.push(
      `daily total ${b.account_code}/${b.currency}/${b.day}: kept ${b.kept_d ?? 0}/${b.kept_c ?? 0}, lines ${b.d ?? 0}/${b.c ?? 0}`,
    );
  }
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
 * reporting currency, base balances and daily totals equal to their lines, and a count of lines
 * that have no base amount (posted before base amounts existed, in a currency with no rate then).
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
  const balances: Array<{
    account_code: string;
    reseller_key: string;
    currency: string;
    kept_d: string;
    kept_c: string;
    d: string;
    c: string;
  }> = await em.query(
    `WITH l AS (
       SELECT account_code, coalesce(reseller_id, '${NO_RESELLER}'::uuid) AS reseller_key, currency,
              coalesce(sum(base_debit), 0) AS d, coalesce(sum(base_credit), 0) AS c FROM journal_lines GROUP BY 1, 2, 3)
     SELECT b.account_code, b.reseller_key, b.currency, b.base_debit_total AS kept_d, b.base_credit_total AS kept_c, l.d, l.c
       FROM account_balances b JOIN l USING (account_code, reseller_key, currency)
      WHERE b.base_debit_total <> l.d OR b.base_credit_total <> l.c`,
  );
  for (const b of balances)
    problems.push(`base balance ${b.account_code}/${b.reseller_key}/${b.currency}: kept ${b.kept_d}/${b.kept_c}, lines ${b.d}/${b.c}`);
  const daily: Array<{
    account_code: string;
    currency: string;
    day: string;
    kept_d: string;
    kept_c: string;
    d: string;
    c: string;
  }> = await em.query(
    `WITH l AS (SELECT account_code, currency, entry_date AS day, coalesce(sum(base_debit), 0) AS d, coalesce(sum(base_credit), 0) AS c
                  FROM journal_lines GROUP BY 1, 2, 3)
     SELECT t.account_code, t.currency, to_char(t.day, 'YYYY-MM-DD') AS day, t.base_debit_total AS kept_d, t.base_credit_total AS kept_c, l.d, l.c
       FROM ledger_daily_totals t JOIN l USING (account_code, currency, day)
      WHERE t.base_debit_total <> l.d OR t.base_credit_total <> l.c`,
  );
  for (const b of daily)
    problems.push(`base daily total ${b.account_code}/${b.currency}/${b.day}: kept ${b.kept_d}/${b.kept_c}, lines ${b.d}/${b.c}`);
  return problems;
}
