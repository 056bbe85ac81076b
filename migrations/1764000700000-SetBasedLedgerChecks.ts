import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's insert checks run once per statement instead of once per row (docs/performance.md
 * §9): a batch of 100 entries and 400 lines made nearly 2,900 trigger calls, most with queries of
 * their own; it now makes about 600 (the entry foreign key per line and the deferred balance check
 * per entry remain). Every check stays in the database, with the same error codes and messages:
 *
 * - journal_entries: not future-dated (LDFUT) and not in a closed month (LD002, after the shared
 *   per-month advisory lock a close takes exclusively): one AFTER INSERT statement trigger over the
 *   inserted entries, in place of two BEFORE INSERT row triggers.
 * - journal_lines: lines join their entry only in the transaction that created it, and carry its
 *   date (LD003; the date is now checked rather than copied, and every writer passes it), name a
 *   known account (23503, in place of the foreign key), and no control account in a manual entry
 *   (LDCTL): checked by the statement trigger that maintains balances, over its transition table
 *   and before it takes any balance row lock.
 * - account_balances and ledger_daily_totals are still written only by that trigger; their guard
 *   is a statement trigger (one call per statement, not two per upserted row).
 * - The deferred per-entry balance check (LD001, LD004) reads the entry's lines once instead of twice.
 */
/**
 * The balance trigger's upkeep of the maintained balances over its transition table `new_lines`
 * (keys locked in a fixed order): the same before and after this migration, so up and down share it.
 */
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

export class SetBasedLedgerChecks1764000700000 implements MigrationInterface {
  name = 'SetBasedLedgerChecks1764000700000';

  public async up(q: QueryRunner): Promise<void> {
    // ------------------------------------------------------------------ entries
    await q.query(`
      CREATE FUNCTION ledger_entries_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
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
    await q.query(`DROP TRIGGER journal_entries_not_future ON journal_entries`);
    await q.query(`DROP TRIGGER journal_entries_period_open ON journal_entries`);
    await q.query(`CREATE TRIGGER journal_entries_checks AFTER INSERT ON journal_entries
                   REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_after_insert()`);

    // ------------------------------------------------------------------ lines
    await q.query(`DROP TRIGGER journal_lines_same_transaction ON journal_lines`);
    await q.query(`DROP TRIGGER journal_lines_control_account ON journal_lines`);
    // A line's account must exist: checked below once per statement, where the foreign key checked it
    // per line, each check a KEY SHARE lock on one of the few account rows every posting shares (a
    // multixact once two postings hold one). An account in use still cannot be removed or renamed:
    // the same trigger writes its balance rows, whose foreign keys reference it.
    await q.query(`ALTER TABLE journal_lines DROP CONSTRAINT journal_lines_account_code_fkey`);
    await q.query(`CREATE OR REPLACE FUNCTION ledger_lines_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE bad record;
      BEGIN
        -- Per entry of the statement: it was created in this transaction, its lines carry its date,
        -- and it touches no control account if it is manual. The entry is read by its key (a lateral
        -- probe, never a join the planner could turn into a scan of every entry).
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
        IF FOUND AND bad.unknown IS NOT NULL THEN
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
      END $$`);

    // ------------------------------------------------------------------ balance guards
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_balances_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF pg_trigger_depth() < 2 THEN
          RAISE EXCEPTION '% is maintained by the ledger and cannot be written directly', TG_TABLE_NAME USING ERRCODE = 'LD003';
        END IF;
        RETURN NULL;
      END $$`);
    for (const table of ['account_balances', 'ledger_daily_totals']) {
      await q.query(`DROP TRIGGER ${table}_guard ON ${table}`);
      await q.query(`CREATE TRIGGER ${table}_guard BEFORE INSERT OR UPDATE OR DELETE ON ${table}
                     FOR EACH STATEMENT EXECUTE FUNCTION ledger_balances_guard()`);
    }

    // ------------------------------------------------------------------ balance at commit
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_check_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE s record;
      BEGIN
        SELECT coalesce(sum(n), 0) AS n, sum(bd) AS bd, sum(bc) AS bc,
               (array_agg(currency) FILTER (WHERE d <> c))[1] AS currency,
               (array_agg(d) FILTER (WHERE d <> c))[1] AS d, (array_agg(c) FILTER (WHERE d <> c))[1] AS c INTO s
          FROM (SELECT currency, count(*) AS n, sum(debit) AS d, sum(credit) AS c, sum(base_debit) AS bd, sum(base_credit) AS bc
                  FROM journal_lines WHERE entry_id = NEW.id GROUP BY currency) per_currency;
        IF s.n < 2 THEN
          RAISE EXCEPTION 'journal entry % has % line(s); at least 2 are required', NEW.id, s.n
            USING ERRCODE = 'LD001', CONSTRAINT = 'journal_entry_balanced';
        END IF;
        IF s.currency IS NOT NULL THEN
          RAISE EXCEPTION 'journal entry % is unbalanced in %: debits % ≠ credits %', NEW.id, s.currency, s.d, s.c
            USING ERRCODE = 'LD001', CONSTRAINT = 'journal_entry_balanced';
        END IF;
        IF s.bd IS DISTINCT FROM s.bc THEN
          RAISE EXCEPTION 'journal entry % is unbalanced in the reporting currency: base debits % ≠ base credits %', NEW.id, s.bd, s.bc
            USING ERRCODE = 'LD004', CONSTRAINT = 'journal_entry_balanced';
        END IF;
        RETURN NULL;
      END $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_check_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE n integer; bad record; bd numeric; bc numeric;
      BEGIN
        SELECT count(*), sum(base_debit), sum(base_credit) INTO n, bd, bc FROM journal_lines WHERE entry_id = NEW.id;
        IF n < 2 THEN
          RAISE EXCEPTION 'journal entry % has % line(s); at least 2 are required', NEW.id, n
            USING ERRCODE = 'LD001', CONSTRAINT = 'journal_entry_balanced';
        END IF;
        SELECT currency, sum(debit) AS d, sum(credit) AS c INTO bad
          FROM journal_lines WHERE entry_id = NEW.id
         GROUP BY currency HAVING sum(debit) <> sum(credit) LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'journal entry % is unbalanced in %: debits % ≠ credits %', NEW.id, bad.currency, bad.d, bad.c
            USING ERRCODE = 'LD001', CONSTRAINT = 'journal_entry_balanced';
        END IF;
        IF bd IS DISTINCT FROM bc THEN
          RAISE EXCEPTION 'journal entry % is unbalanced in the reporting currency: base debits % ≠ base credits %', NEW.id, bd, bc
            USING ERRCODE = 'LD004', CONSTRAINT = 'journal_entry_balanced';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_balances_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF pg_trigger_depth() < 2 THEN
          RAISE EXCEPTION '% is maintained by the ledger and cannot be written directly', TG_TABLE_NAME USING ERRCODE = 'LD003';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END $$`);
    for (const table of ['account_balances', 'ledger_daily_totals']) {
      await q.query(`DROP TRIGGER ${table}_guard ON ${table}`);
      await q.query(`CREATE TRIGGER ${table}_guard BEFORE INSERT OR UPDATE OR DELETE ON ${table}
                     FOR EACH ROW EXECUTE FUNCTION ledger_balances_guard()`);
    }
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_lines_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${MAINTAIN_BALANCES}
        RETURN NULL;
      END $$`);
    await q.query(
      `ALTER TABLE journal_lines ADD CONSTRAINT journal_lines_account_code_fkey FOREIGN KEY (account_code) REFERENCES accounts (code)`,
    );
    await q.query(`CREATE TRIGGER journal_lines_same_transaction BEFORE INSERT ON journal_lines
                   FOR EACH ROW EXECUTE FUNCTION ledger_line_before_insert()`);
    await q.query(`CREATE TRIGGER journal_lines_control_account BEFORE INSERT ON journal_lines
                   FOR EACH ROW EXECUTE FUNCTION ledger_line_control_account()`);
    await q.query(`DROP TRIGGER journal_entries_checks ON journal_entries`);
    await q.query(`DROP FUNCTION ledger_entries_after_insert`);
    await q.query(`CREATE TRIGGER journal_entries_period_open BEFORE INSERT ON journal_entries
                   FOR EACH ROW EXECUTE FUNCTION ledger_entry_before_insert()`);
    await q.query(`CREATE TRIGGER journal_entries_not_future BEFORE INSERT ON journal_entries
                   FOR EACH ROW EXECUTE FUNCTION ledger_entry_not_future()`);
  }
}
