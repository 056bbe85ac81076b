import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Batch posting, second round (docs/performance.md §12): the checks that still ran once per line
 * or once per entry now run once per statement, with the same guarantees, error codes and messages.
 *
 * - The maintained balances keep room for their new versions: account_balances, a few rows that
 *   every posting updates, is stored at fillfactor 20, so an update finds space on its own page (a
 *   HOT update, no new index entries) even while concurrent postings keep the old versions alive.
 * - journal_lines → journal_entries: the foreign key checked each line (a KEY SHARE lock and a
 *   query per line). The balance trigger's statement-level check already reads each line's entry
 *   by its key, and requires it to have been created in this transaction; it now reports a missing
 *   entry as the foreign key did (23503, constraint journal_lines_entry_id_fkey). Entries are never
 *   deleted (journal_entries_immutable, journal_entries_no_truncate), so nothing else needed it.
 * - The balance check at commit (LD001, LD004: every entry has at least two lines and balances in
 *   each currency and in base) ran once per entry. Each statement that inserts entries now queues
 *   one check of all of them (a row of ledger_balance_checks, written only by the ledger's
 *   trigger, and deleted as soon as it is written: the deferred event keeps it), and the deferred
 *   constraint trigger journal_entry_balanced checks the statement's entries in one query when it
 *   fires (at commit, or at SET CONSTRAINTS … IMMEDIATE, as before).
 */

/** The balance trigger's upkeep of the maintained balances (as in 1764000700000). */
const MAINTAIN_BALANCES = `INSERT INTO account_balances AS b (account_code, reseller_key, currency, debit_total, credit_total, base_debit_total, base_credit_total)
        SELECT account_code, COALESCE(reseller_id, '00000000-0000-0000-0000-000000000000'::uuid), currency, sum(debit), sum(credit),
               coalesce(sum(base_debit), 0), coalesce(sum(base_credit), 0)
          FROM new_lines GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (account_code, reseller_key, currency) DO UPDATE
          SET debit_total = b.debit_total + EXCLUDED.debit_total, credit_total = b.credit_total + EXCLUDED.credit_total,
              base_debit_total = b.base_debit_total + EXCLUDED.base_debit_total,
              base_credit_total = b.base_credit_total + EXCLUDED.base_credit_total;
        INSERT INTO ledger_daily_totals AS t (account_code, currency, day, debit_total, credit_total, base_debit_total, base_credit_total)
        SELECT account_code, currency, entry_date, sum(debit), sum(credit), coalesce(sum(base_debit), 0), coalesce(sum(base_credit), 0)
          FROM new_lines GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (account_code, currency, day) DO UPDATE
          SET debit_total = t.debit_total + EXCLUDED.debit_total, credit_total = t.credit_total + EXCLUDED.credit_total,
              base_debit_total = t.base_debit_total + EXCLUDED.base_debit_total,
              base_credit_total = t.base_credit_total + EXCLUDED.base_credit_total;`;

const CHECK_ENTRIES_BALANCED = `
      CREATE OR REPLACE FUNCTION ledger_check_entries_balanced() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, public SET enable_seqscan = off AS $$
      DECLARE s record;
      BEGIN
        -- The first entry of the statement, in insertion order, that is not balanced; the same
        -- checks and messages as the per-entry check this replaces, one index probe per entry on
        -- the lines' (entry_id, line_no) key whatever the statistics said when the plan was cached
        -- (a generic plan for entry_id = ANY(…) cached while journal_lines was small read the export
        -- index instead; a sequential scan is ruled out for the same reason).
        SELECT x.id, coalesce(p.n, 0) AS n, p.currency, p.d, p.c, p.bd, p.bc INTO s
          FROM unnest(NEW.entry_ids) WITH ORDINALITY AS x(id, o)
          CROSS JOIN LATERAL (
            SELECT sum(n) AS n, sum(bd) AS bd, sum(bc) AS bc, (array_agg(currency) FILTER (WHERE d <> c))[1] AS currency,
                   (array_agg(d) FILTER (WHERE d <> c))[1] AS d, (array_agg(c) FILTER (WHERE d <> c))[1] AS c
              FROM (SELECT currency, count(*) AS n, sum(debit) AS d, sum(credit) AS c, sum(base_debit) AS bd, sum(base_credit) AS bc
                      FROM public.journal_lines WHERE entry_id = x.id GROUP BY currency) per_currency) p
         WHERE coalesce(p.n, 0) < 2 OR p.currency IS NOT NULL OR p.bd IS DISTINCT FROM p.bc
         ORDER BY x.o LIMIT 1;
        IF FOUND AND s.n < 2 THEN
          RAISE EXCEPTION 'journal entry % has % line(s); at least 2 are required', s.id, s.n
            USING ERRCODE = 'LD001', CONSTRAINT = 'journal_entry_balanced';
        ELSIF FOUND AND s.currency IS NOT NULL THEN
          RAISE EXCEPTION 'journal entry % is unbalanced in %: debits % ≠ credits %', s.id, s.currency, s.d, s.c
            USING ERRCODE = 'LD001', CONSTRAINT = 'journal_entry_balanced';
        ELSIF FOUND THEN
          RAISE EXCEPTION 'journal entry % is unbalanced in the reporting currency: base debits % ≠ base credits %', s.id, s.bd, s.bc
            USING ERRCODE = 'LD004', CONSTRAINT = 'journal_entry_balanced';
        END IF;
        RETURN NULL;
      END $$`;

/** The entries' statement checks of 1764000700000, plus: queue the balance check of the statement's entries. */
const ENTRIES_AFTER_INSERT = `
      CREATE OR REPLACE FUNCTION ledger_entries_after_insert() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      DECLARE p text; d date; queued tid;
      BEGIN
        SELECT entry_date INTO d FROM new_entries WHERE entry_date > (now() AT TIME ZONE 'UTC')::date LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'journal entry dated % is in the future (today is %)', d, (now() AT TIME ZONE 'UTC')::date
            USING ERRCODE = 'LDFUT';
        END IF;
        -- Months in a fixed order, so that two postings never wait on each other's locks.
        FOR p IN SELECT DISTINCT to_char(entry_date, 'YYYY-MM') FROM new_entries ORDER BY 1 LOOP
          PERFORM pg_advisory_xact_lock_shared(hashtext('disty:ledger-period:' || p));
          IF EXISTS (SELECT 1 FROM public.ledger_periods WHERE period = p) THEN
            RAISE EXCEPTION 'period % is closed', p USING ERRCODE = 'LD002';
          END IF;
        END LOOP;
        -- Every entry of the statement is checked for balance when journal_entry_balanced fires:
        -- the row queues the check and is deleted at once, by its tid (the deferred trigger reads
        -- the row its event was queued with, deleted or not), so the table holds no live rows and
        -- nothing ever searches it.
        INSERT INTO public.ledger_balance_checks (entry_ids) SELECT array_agg(id) FROM new_entries HAVING count(*) > 0
          RETURNING ctid INTO queued;
        IF FOUND THEN
          DELETE FROM public.ledger_balance_checks WHERE ctid = queued;
        END IF;
        RETURN NULL;
      END $$`;

/** The entry-key branch of the lines' check: a missing entry reported as its foreign key did (23503). */
const ENTRY_KEY_BRANCH = `IF FOUND AND bad.mine IS NULL THEN
          RAISE EXCEPTION 'insert or update on table "journal_lines" violates foreign key constraint "journal_lines_entry_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'journal_lines_entry_id_fkey',
                  DETAIL = format('Key (entry_id)=(%s) is not present in table "journal_entries".', bad.entry_id);
        ELSIF`;

/**
 * The lines' statement trigger: the line checks and the balance upkeep of 1764000700000, with (up) or
 * without (down, where the foreign key is back) the check that each line's entry exists.
 */
function linesAfterInsert(entryKeyChecked: boolean): string {
  return `CREATE OR REPLACE FUNCTION ledger_lines_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE bad record;
      BEGIN
        -- Per entry of the statement: it was created in this transaction (so it exists), its lines carry
        -- its date, and it touches no control account if it is manual. The entry is read by its key (a
        -- lateral probe, never a join the planner could turn into a scan of every entry).
        SELECT l.entry_id, l.first_date, l.last_date, l.unknown, e.entry_date, e.mine, l.control AND e.source_type = 'manual' AS manual_control
          INTO bad
          FROM (SELECT entry_id, min(entry_date) AS first_date, max(entry_date) AS last_date, bool_or(a.control) AS control,
                       min(account_code) FILTER (WHERE a.code IS NULL) AS unknown
                  FROM new_lines LEFT JOIN accounts a ON a.code = account_code GROUP BY entry_id) l
          LEFT JOIN LATERAL (SELECT j.entry_date, j.source_type, j.xmin::text = (txid_current() % 4294967296)::text AS mine
                               FROM journal_entries j WHERE j.id = l.entry_id OFFSET 0) e ON true
         WHERE l.unknown IS NOT NULL OR e.mine IS NOT TRUE OR l.first_date <> e.entry_date OR l.last_date <> e.entry_date
            OR (l.control AND e.source_type = 'manual')
         LIMIT 1;
        ${entryKeyChecked ? ENTRY_KEY_BRANCH : 'IF'} FOUND AND bad.unknown IS NOT NULL THEN
          RAISE EXCEPTION 'account % is not in the chart of accounts', bad.unknown
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'journal_lines_account_code_fkey';
        ELSIF FOUND AND bad.mine IS NOT TRUE THEN
          RAISE EXCEPTION 'lines can only be added to a journal entry in the transaction that creates it'
            USING ERRCODE = 'LD003';
        ELSIF FOUND AND bad.manual_control THEN
          RAISE EXCEPTION 'account % is a control account: it moves only through its documents, not by a manual entry',
            (SELECT min(nl.account_code) FROM new_lines nl JOIN accounts a ON a.code = nl.account_code AND a.control WHERE nl.entry_id = bad.entry_id)
            USING ERRCODE = 'LDCTL';
        ELSIF FOUND THEN
          RAISE EXCEPTION 'a line of journal entry % is dated %, not its entry''s date %', bad.entry_id,
            CASE WHEN bad.first_date <> bad.entry_date THEN bad.first_date ELSE bad.last_date END, bad.entry_date
            USING ERRCODE = 'LD003';
        END IF;
        -- Maintained balances, keys locked in a fixed order.
        ${MAINTAIN_BALANCES}
        RETURN NULL;
      END $$`;
}

export class BatchPostingChecks1764000850000 implements MigrationInterface {
  name = 'BatchPostingChecks1764000850000';

  public async up(q: QueryRunner): Promise<void> {
    // ------------------------------------------------------------------ balances: room for HOT updates
    await q.query(`ALTER TABLE account_balances SET (fillfactor = 20)`);
    await q.query(`CLUSTER account_balances USING account_balances_pkey`);

    // ------------------------------------------------------------------ lines → entries, once per statement
    await q.query(`ALTER TABLE journal_lines DROP CONSTRAINT journal_lines_entry_id_fkey`);
    await q.query(linesAfterInsert(true));

    // ------------------------------------------------------------------ balance at commit, once per statement
    // Written only by the entries' trigger function (SECURITY DEFINER): the app role may neither
    // queue nor remove a check.
    await q.query(`CREATE UNLOGGED TABLE ledger_balance_checks (entry_ids uuid[] NOT NULL)`);
    await q.query(`REVOKE ALL ON ledger_balance_checks FROM PUBLIC`);
    await q.query(`
      DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'disty_app') THEN
          REVOKE ALL ON ledger_balance_checks FROM disty_app;
        END IF;
      END $$`);
    await q.query(CHECK_ENTRIES_BALANCED);
    await q.query(ENTRIES_AFTER_INSERT);
    await q.query(`DROP TRIGGER journal_entry_balanced ON journal_entries`);
    await q.query(`CREATE CONSTRAINT TRIGGER journal_entry_balanced AFTER INSERT ON ledger_balance_checks
                   DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entries_balanced()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER journal_entry_balanced ON ledger_balance_checks`);
    await q.query(`CREATE CONSTRAINT TRIGGER journal_entry_balanced AFTER INSERT ON journal_entries
                   DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced()`);
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_entries_after_insert() RETURNS trigger LANGUAGE plpgsql
        SECURITY INVOKER RESET search_path AS $$
      DECLARE p text; d date;
      BEGIN
        SELECT entry_date INTO d FROM new_entries WHERE entry_date > (now() AT TIME ZONE 'UTC')::date LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'journal entry dated % is in the future (today is %)', d, (now() AT TIME ZONE 'UTC')::date
            USING ERRCODE = 'LDFUT';
        END IF;
        -- Months in a fixed order, so that two postings never wait on each other's locks.
        FOR p IN SELECT DISTINCT to_char(entry_date, 'YYYY-MM') FROM new_entries ORDER BY 1 LOOP
          PERFORM pg_advisory_xact_lock_shared(hashtext('disty:ledger-period:' || p));
          IF EXISTS (SELECT 1 FROM ledger_periods WHERE period = p) THEN
            RAISE EXCEPTION 'period % is closed', p USING ERRCODE = 'LD002';
          END IF;
        END LOOP;
        RETURN NULL;
      END $$`);
    await q.query(`DROP FUNCTION ledger_check_entries_balanced()`);
    await q.query(`DROP TABLE ledger_balance_checks`);
    await q.query(linesAfterInsert(false));
    await q.query(
      `ALTER TABLE journal_lines ADD CONSTRAINT journal_lines_entry_id_fkey FOREIGN KEY (entry_id) REFERENCES journal_entries (id)`,
    );
    await q.query(`ALTER TABLE account_balances RESET (fillfactor)`);
    await q.query(`CLUSTER account_balances USING account_balances_pkey`);
  }
}
