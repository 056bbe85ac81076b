import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The general ledger. The database itself keeps it balanced (a deferred constraint trigger per
 * entry), immutable (no UPDATE/DELETE/TRUNCATE of posted rows), closed to postings in closed
 * periods, and its maintained balances equal to the sum of its lines (updated by a statement
 * trigger in the posting's own transaction, and writable by nothing else).
 */
export class GeneralLedger1764000001000 implements MigrationInterface {
  name = 'GeneralLedger1764000001000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounts (
        code text PRIMARY KEY,
        name text NOT NULL,
        type text NOT NULL,
        CONSTRAINT accounts_type_check CHECK (type IN ('asset','liability','equity','revenue','contra_revenue','expense'))
      )`);
    await q.query(`
      INSERT INTO accounts (code, name, type) VALUES
        ('1000', 'Cash at bank', 'asset'),
        ('1050', 'Stripe clearing', 'asset'),
        ('1100', 'Accounts receivable — hardware', 'asset'),
        ('1110', 'Accounts receivable — cloud', 'asset'),
        ('2100', 'Tax payable', 'liability'),
        ('2200', 'Unapplied customer cash', 'liability'),
        ('4000', 'Revenue — hardware', 'revenue'),
        ('4100', 'Revenue — cloud services', 'revenue'),
        ('4900', 'Credit notes and allowances', 'contra_revenue'),
        ('6100', 'Payment processing fees', 'expense')`);

    await q.query(`
      CREATE TABLE journal_entries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        entry_date date NOT NULL,
        memo text NOT NULL DEFAULT '',
        source_type text NOT NULL,
        source_id text NOT NULL,
        reversal_of uuid REFERENCES journal_entries (id),
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT journal_entries_source_key UNIQUE (source_type, source_id),
        CONSTRAINT journal_entries_reversal_of_key UNIQUE (reversal_of)
      )`);
    await q.query(`CREATE INDEX journal_entries_entry_date_idx ON journal_entries (entry_date)`);

    await q.query(`
      CREATE TABLE journal_lines (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        entry_id uuid NOT NULL REFERENCES journal_entries (id),
        line_no integer NOT NULL,
        account_code text NOT NULL REFERENCES accounts (code),
        reseller_id uuid,
        currency char(3) NOT NULL,
        debit numeric(20,4) NOT NULL DEFAULT 0,
        credit numeric(20,4) NOT NULL DEFAULT 0,
        entry_date date NOT NULL,
        CONSTRAINT journal_lines_entry_line_key UNIQUE (entry_id, line_no),
        CONSTRAINT journal_lines_one_side_check CHECK ((debit > 0 AND credit = 0) OR (credit > 0 AND debit = 0)),
        CONSTRAINT journal_lines_currency_check CHECK (currency ~ '^[A-Z]{3}$')
      )`);
    await q.query(`CREATE INDEX journal_lines_account_idx ON journal_lines (account_code, currency, entry_date)`);
    await q.query(`CREATE INDEX journal_lines_reseller_idx ON journal_lines (reseller_id, account_code, entry_date)`);

    // Maintained balances: cumulative per (account, reseller, currency) for credit exposure and
    // reconciliation, and per (account, currency, day) for the trial balance as of any date.
    await q.query(`
      CREATE TABLE account_balances (
        account_code text NOT NULL REFERENCES accounts (code),
        reseller_key uuid NOT NULL,
        currency char(3) NOT NULL,
        debit_total numeric(20,4) NOT NULL DEFAULT 0,
        credit_total numeric(20,4) NOT NULL DEFAULT 0,
        CONSTRAINT account_balances_pkey PRIMARY KEY (account_code, reseller_key, currency)
      )`);
    await q.query(`CREATE INDEX account_balances_reseller_idx ON account_balances (reseller_key)`);
    await q.query(`
      CREATE TABLE ledger_daily_totals (
        account_code text NOT NULL REFERENCES accounts (code),
        currency char(3) NOT NULL,
        day date NOT NULL,
        debit_total numeric(20,4) NOT NULL DEFAULT 0,
        credit_total numeric(20,4) NOT NULL DEFAULT 0,
        CONSTRAINT ledger_daily_totals_pkey PRIMARY KEY (account_code, currency, day)
      )`);
    await q.query(`
      CREATE TABLE ledger_periods (
        period char(7) PRIMARY KEY,
        closed_at timestamptz NOT NULL DEFAULT now(),
        closed_by uuid,
        CONSTRAINT ledger_periods_format_check CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')
      )`);

    // Immutability: posted entries and lines are never changed or removed.
    await q.query(`
      CREATE FUNCTION ledger_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger rows are immutable: % on % is not allowed; post a reversal instead', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'LD003';
      END $$`);
    for (const table of ['journal_entries', 'journal_lines']) {
      await q.query(`CREATE TRIGGER ${table}_immutable BEFORE UPDATE OR DELETE ON ${table}
                     FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
                     FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_change()`);
    }

    // Closed periods take no postings. The shared advisory lock orders postings against a close.
    await q.query(`
      CREATE FUNCTION ledger_entry_before_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE p text := to_char(NEW.entry_date, 'YYYY-MM');
      BEGIN
        PERFORM pg_advisory_xact_lock_shared(hashtext('disty:ledger-period:' || p));
        IF EXISTS (SELECT 1 FROM ledger_periods WHERE period = p) THEN
          RAISE EXCEPTION 'period % is closed', p USING ERRCODE = 'LD002';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER journal_entries_period_open BEFORE INSERT ON journal_entries
                   FOR EACH ROW EXECUTE FUNCTION ledger_entry_before_insert()`);

    // Lines join their entry only in the entry's own transaction, and carry its date.
    await q.query(`
      CREATE FUNCTION ledger_line_before_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE e record;
      BEGIN
        SELECT entry_date, xmin INTO e FROM journal_entries WHERE id = NEW.entry_id;
        IF FOUND AND e.xmin::text <> (txid_current() % 4294967296)::text THEN
          RAISE EXCEPTION 'lines can only be added to a journal entry in the transaction that creates it'
            USING ERRCODE = 'LD003';
        END IF;
        NEW.entry_date := e.entry_date;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER journal_lines_same_transaction BEFORE INSERT ON journal_lines
                   FOR EACH ROW EXECUTE FUNCTION ledger_line_before_insert()`);

    // Balance: checked at commit, per entry and per currency, with at least two lines.
    await q.query(`
      CREATE FUNCTION ledger_check_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE n integer; bad record;
      BEGIN
        SELECT count(*) INTO n FROM journal_lines WHERE entry_id = NEW.id;
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
        RETURN NULL;
      END $$`);
    await q.query(`CREATE CONSTRAINT TRIGGER journal_entry_balanced AFTER INSERT ON journal_entries
                   DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced()`);

    // Maintained balances, in the posting's transaction, keys locked in a fixed order.
    await q.query(`
      CREATE FUNCTION ledger_lines_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO account_balances AS b (account_code, reseller_key, currency, debit_total, credit_total)
        SELECT account_code, COALESCE(reseller_id, '00000000-0000-0000-0000-000000000000'::uuid), currency, sum(debit), sum(credit)
          FROM new_lines GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (account_code, reseller_key, currency) DO UPDATE
          SET debit_total = b.debit_total + EXCLUDED.debit_total, credit_total = b.credit_total + EXCLUDED.credit_total;
        INSERT INTO ledger_daily_totals AS t (account_code, currency, day, debit_total, credit_total)
        SELECT account_code, currency, entry_date, sum(debit), sum(credit)
          FROM new_lines GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (account_code, currency, day) DO UPDATE
          SET debit_total = t.debit_total + EXCLUDED.debit_total, credit_total = t.credit_total + EXCLUDED.credit_total;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER journal_lines_maintain_balances AFTER INSERT ON journal_lines
                   REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION ledger_lines_after_insert()`);

    // Maintained balances change only through that trigger.
    await q.query(`
      CREATE FUNCTION ledger_balances_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF pg_trigger_depth() < 2 THEN
          RAISE EXCEPTION '% is maintained by the ledger and cannot be written directly', TG_TABLE_NAME USING ERRCODE = 'LD003';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END $$`);
    for (const table of ['account_balances', 'ledger_daily_totals']) {
      await q.query(`CREATE TRIGGER ${table}_guard BEFORE INSERT OR UPDATE OR DELETE ON ${table}
                     FOR EACH ROW EXECUTE FUNCTION ledger_balances_guard()`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ledger_periods, ledger_daily_totals, account_balances, journal_lines, journal_entries, accounts CASCADE`);
    await q.query(`DROP FUNCTION ledger_forbid_change, ledger_entry_before_insert, ledger_line_before_insert,
                   ledger_check_entry_balanced, ledger_lines_after_insert, ledger_balances_guard`);
  }
}
