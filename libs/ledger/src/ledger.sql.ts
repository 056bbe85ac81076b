import { EntityManager } from 'typeorm';
import { Currency, moneyString, preparedStatement } from '#disty/core';
import { JournalEntryView, JournalLineView } from './dto/journal-entry.dto';

/** The ledger's SQL constants, row types and the entry loader its services share. */

export const NO_RESELLER = '00000000-0000-0000-0000-000000000000';

/**
 * Maintained balances of a reseller's accounts, less anything dated after `$4` (today): balances
 * used for credit never count a future-dated entry (none can be posted now; older ones are
 * excluded). The lateral read is an index range probe that is normally empty.
 */
export const BALANCES_OF = preparedStatement(
  'ledger.balances-of-as-of',
  `SELECT b.account_code, b.debit_total - coalesce(f.d, 0) AS debit_total, b.credit_total - coalesce(f.c, 0) AS credit_total
     FROM account_balances b
     LEFT JOIN LATERAL (
       SELECT sum(l.debit) AS d, sum(l.credit) AS c FROM journal_lines l
        WHERE l.reseller_id = $2 AND l.account_code = b.account_code AND l.currency = $3 AND l.entry_date > $4::date) f ON true
    WHERE b.account_code = ANY($1::text[]) AND b.reseller_key = $2 AND b.currency = $3`,
);

/**
 * One entry and its lines in one statement (LedgerService.post), prepared: every invoice of a
 * billing run posts one (docs/performance.md, "Billing run"). Nothing is returned when the
 * source posted before.
 */
export const POST_ENTRY = preparedStatement(
  'ledger.post-entry',
  `WITH e AS (
         INSERT INTO journal_entries (entry_date, memo, source_type, source_id, reversal_of, created_by)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (source_type, source_id) DO NOTHING RETURNING id, created_at),
       l AS (
         INSERT INTO journal_lines (entry_id, line_no, account_code, reseller_id, currency, debit, credit, base_debit, base_credit, entry_date)
         SELECT e.id, t.n, t.account_code, t.reseller_id, t.currency, t.debit, t.credit, t.base_debit, t.base_credit, $1
           FROM e CROSS JOIN unnest($7::int[], $8::text[], $9::uuid[], $10::text[], $11::numeric[], $12::numeric[], $13::numeric[], $14::numeric[])
             AS t(n, account_code, reseller_id, currency, debit, credit, base_debit, base_credit)
          ORDER BY t.n
         RETURNING 1)
       SELECT e.id, e.created_at, (SELECT count(*) FROM l) AS lines FROM e`,
);

/**
 * Many entries and their lines in one statement (LedgerBatchService.postBatch), prepared like
 * POST_ENTRY (docs/performance.md §12): `k` numbers the entries of the batch, an entry whose source
 * posted before is skipped with its lines, and each created entry comes back with its `k`.
 */
export const POST_BATCH = preparedStatement(
  'ledger.post-batch',
  `WITH i AS (
           SELECT * FROM unnest($1::int[], $2::date[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::uuid[])
             AS i(k, entry_date, memo, source_type, source_id, reversal_of, created_by)),
         e AS (
           INSERT INTO journal_entries (entry_date, memo, source_type, source_id, reversal_of, created_by)
           SELECT entry_date, memo, source_type, source_id, reversal_of, created_by FROM i ORDER BY k
           ON CONFLICT (source_type, source_id) DO NOTHING RETURNING id, source_type, source_id),
         ek AS (SELECT i.k, i.entry_date, e.id FROM e JOIN i USING (source_type, source_id)),
         l AS (
           INSERT INTO journal_lines (entry_id, line_no, account_code, reseller_id, currency, debit, credit, base_debit, base_credit, entry_date)
           SELECT ek.id, t.n, t.account_code, t.reseller_id, t.currency, t.debit, t.credit, t.base_debit, t.base_credit, ek.entry_date
             FROM unnest($8::int[], $9::int[], $10::text[], $11::uuid[], $12::text[], $13::numeric[], $14::numeric[], $15::numeric[], $16::numeric[])
               AS t(k, n, account_code, reseller_id, currency, debit, credit, base_debit, base_credit)
             JOIN ek ON ek.k = t.k
            ORDER BY t.k, t.n
           RETURNING 1)
         SELECT ek.k, ek.id, (SELECT count(*) FROM l) AS lines FROM ek`,
);

export interface EntryRow {
  id: string;
  entry_date: string;
  memo: string;
  source_type: string;
  source_id: string;
  reversal_of: string | null;
  created_at: Date;
}

export interface LineRow {
  entry_id: string;
  account_code: string;
  reseller_id: string | null;
  currency: Currency;
  debit: string;
  credit: string;
  base_debit?: string | null;
  base_credit?: string | null;
}

/** The entries with these ids, in that order, as the API shows them. */
export async function loadEntries(em: EntityManager, ids: string[]): Promise<JournalEntryView[]> {
  if (!ids.length) return [];
  const entries: EntryRow[] = await em.query(
    `SELECT id, to_char(entry_date, 'YYYY-MM-DD') AS entry_date, memo, source_type, source_id, reversal_of, created_at
       FROM journal_entries WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  const lines: LineRow[] = await em.query(
    `SELECT entry_id, account_code, reseller_id, currency, debit, credit, base_debit, base_credit FROM journal_lines
      WHERE entry_id = ANY($1::uuid[]) ORDER BY entry_id, line_no`,
    [ids],
  );
  const [{ reporting_currency: reporting }]: Array<{ reporting_currency: Currency }> = await em.query(
    `SELECT reporting_currency FROM ledger_settings`,
  );
  const byEntry = new Map<string, JournalLineView[]>();
  for (const l of lines) {
    const list = byEntry.get(l.entry_id) ?? [];
    list.push({
      accountCode: l.account_code,
      resellerId: l.reseller_id,
      currency: l.currency,
      debit: moneyString(l.debit, l.currency),
      credit: moneyString(l.credit, l.currency),
      baseDebit: l.base_debit == null ? null : moneyString(l.base_debit, reporting),
      baseCredit: l.base_credit == null ? null : moneyString(l.base_credit, reporting),
    });
    byEntry.set(l.entry_id, list);
  }
  const map = new Map(
    entries.map((e) => [
      e.id,
      {
        id: e.id,
        entryDate: e.entry_date,
        memo: e.memo,
        source: { type: e.source_type, id: e.source_id },
        reversalOf: e.reversal_of,
        lines: byEntry.get(e.id) ?? [],
        createdAt: e.created_at.toISOString(),
      },
    ]),
  );
  return ids.map((id) => map.get(id)).filter((e): e is JournalEntryView => !!e);
}
