import { MigrationInterface, QueryRunner } from 'typeorm';

const APP = 'disty_app';
const CURRENCY = /^[A-Z]{3}$/;

/**
 * Several currencies (docs/accounting.md §9):
 *
 * - `ledger_settings` keeps the reporting (base) currency the books were started in
 *   (`REPORTING_CURRENCY` when this migration runs, default AUD); the app refuses to start with
 *   another one.
 * - `fx_rates`: base units per unit of a currency, per day (the rate for a date is the latest on or
 *   before it). A rate is immutable once a posted line used it (FXUSE), and a new rate cannot slip
 *   in before lines that used an older one.
 * - `journal_lines.base_debit` / `base_credit`: each line's amount in the reporting currency at its
 *   date's rate, written by LedgerService.post. Every line posted from now on must carry them (a
 *   NOT VALID check constraint: enforced at insert, not on the lines back-filled below), and each
 *   entry balances in base at commit (LD004, in the same deferred trigger as LD001).
 * - A "base-only" line (debit = credit = 0, a base amount) carries a foreign-exchange difference:
 *   allowed on accounts of type `other` (7100, 7150), and on any account for the system sources
 *   `revaluation`, `fx_difference` and `year_end_close` (LDBON otherwise).
 * - `account_balances` and `ledger_daily_totals` keep base sums beside the currency sums.
 * - Back-fill: lines in the reporting currency get base = amount; lines in another currency get
 *   amount × rate when a rate exists (never, on a database where fx_rates is new), else stay NULL
 *   and are counted in the migration's log and by `ledger:verify`.
 */
export class SeveralCurrencies1764000027000 implements MigrationInterface {
  name = 'SeveralCurrencies1764000027000';

  public async up(q: QueryRunner): Promise<void> {
    const reporting = (process.env.REPORTING_CURRENCY || 'AUD').trim().toUpperCase();
    if (!CURRENCY.test(reporting)) throw new Error(`REPORTING_CURRENCY must be an ISO 4217 code, got "${reporting}"`);

    await q.query(`
      CREATE TABLE ledger_settings (
        id boolean PRIMARY KEY DEFAULT true,
        reporting_currency char(3) NOT NULL,
        CONSTRAINT ledger_settings_single_row_check CHECK (id),
        CONSTRAINT ledger_settings_currency_check CHECK (reporting_currency ~ '^[A-Z]{3}$')
      )`);
    await q.query(`INSERT INTO ledger_settings (reporting_currency) VALUES ($1)`, [reporting]);

    await q.query(`
      CREATE TABLE fx_rates (
        currency char(3) NOT NULL,
        rate_date date NOT NULL,
        rate numeric(20,10) NOT NULL,
        source text NOT NULL DEFAULT 'api',
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid,
        CONSTRAINT fx_rates_pkey PRIMARY KEY (currency, rate_date),
        CONSTRAINT fx_rates_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT fx_rates_rate_check CHECK (rate > 0),
        CONSTRAINT fx_rates_source_check CHECK (source IN ('api', 'csv', 'seed'))
      )`);
    // A rate some posted line used (lines of its currency from its date up to the next rate's date)
    // never changes, and no new rate may take over lines already posted at an older one. Posted
    // days are read from ledger_daily_totals (one row per account, currency and day).
    await q.query(`
      CREATE FUNCTION fx_rates_guard_used() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE r record; next_date date; used date;
      BEGIN
        r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        IF TG_OP = 'UPDATE' AND NEW.rate = OLD.rate AND NEW.currency = OLD.currency AND NEW.rate_date = OLD.rate_date THEN
          RETURN NEW;
        END IF;
        IF TG_OP = 'INSERT' AND EXISTS (SELECT 1 FROM fx_rates WHERE currency = NEW.currency AND rate_date = NEW.rate_date AND rate = NEW.rate) THEN
          RETURN NEW; -- the same rate again (an upsert that changes nothing)
        END IF;
        SELECT min(rate_date) INTO next_date FROM fx_rates WHERE currency = r.currency AND rate_date > r.rate_date;
        SELECT min(day) INTO used FROM ledger_daily_totals
         WHERE currency = r.currency AND day >= r.rate_date AND (next_date IS NULL OR day < next_date);
        IF used IS NOT NULL THEN
          RAISE EXCEPTION 'the % rate of % is in use: lines dated % were posted at the rate then in force', r.currency, r.rate_date, used
            USING ERRCODE = 'FXUSE';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END $$`);
    await q.query(`CREATE TRIGGER fx_rates_guard_used BEFORE INSERT OR UPDATE OR DELETE ON fx_rates
                   FOR EACH ROW EXECUTE FUNCTION fx_rates_guard_used()`);

    // ---------------------------------------------------------------- base amounts on lines
    // A line's base exceeds its amount when the rate is above 1: four more digits than the amount
    // columns, so even a line at numeric(20,4)'s limit has room for its base at a rate up to 10^4.
    // The shared aggregates are numeric(30,4) like their currency sums (docs/money-integrity.md).
    await q.query(`ALTER TABLE journal_lines ADD COLUMN base_debit numeric(24,4), ADD COLUMN base_credit numeric(24,4)`);
    await q.query(`ALTER TABLE account_balances ADD COLUMN base_debit_total numeric(30,4) NOT NULL DEFAULT 0,
                   ADD COLUMN base_credit_total numeric(30,4) NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE ledger_daily_totals ADD COLUMN base_debit_total numeric(30,4) NOT NULL DEFAULT 0,
                   ADD COLUMN base_credit_total numeric(30,4) NOT NULL DEFAULT 0`);

    // Back-fill (the ledger's immutability and balance guards are lifted for this one statement each).
    await q.query(`ALTER TABLE journal_lines DISABLE TRIGGER journal_lines_immutable`);
    await q.query(
      `UPDATE journal_lines l
          SET base_debit = CASE WHEN l.currency = $1 THEN l.debit ELSE round(l.debit * r.rate, 2) END,
              base_credit = CASE WHEN l.currency = $1 THEN l.credit ELSE round(l.credit * r.rate, 2) END
         FROM journal_lines x
         LEFT JOIN LATERAL (SELECT rate FROM fx_rates f WHERE f.currency = x.currency AND f.rate_date <= x.entry_date
                             ORDER BY f.rate_date DESC LIMIT 1) r ON true
        WHERE x.id = l.id AND (l.currency = $1 OR r.rate IS NOT NULL)`,
      [reporting],
    );
    await q.query(`ALTER TABLE journal_lines ENABLE TRIGGER journal_lines_immutable`);
    const [{ missing, entries }] = await q.query(
      `SELECT count(*)::int AS missing, count(DISTINCT entry_id)::int AS entries FROM journal_lines WHERE base_debit IS NULL`,
    );
    process.stderr.write(
      missing
        ? `[migration SeveralCurrencies] ${missing} journal line(s) in ${entries} entr(y/ies) in a currency other than ${reporting} have no rate for their date: their base amount stays empty (ledger:verify reports them; docs/accounting.md §9)\n`
        : '',
    );

    await q.query(`ALTER TABLE account_balances DISABLE TRIGGER account_balances_guard`);
    await q.query(`ALTER TABLE ledger_daily_totals DISABLE TRIGGER ledger_daily_totals_guard`);
    await q.query(`
      UPDATE account_balances b SET base_debit_total = s.d, base_credit_total = s.c
        FROM (SELECT account_code, coalesce(reseller_id, '00000000-0000-0000-0000-000000000000'::uuid) AS reseller_key, currency,
                     coalesce(sum(base_debit), 0) AS d, coalesce(sum(base_credit), 0) AS c
                FROM journal_lines GROUP BY 1, 2, 3) s
       WHERE b.account_code = s.account_code AND b.reseller_key = s.reseller_key AND b.currency = s.currency`);
    await q.query(`
      UPDATE ledger_daily_totals t SET base_debit_total = s.d, base_credit_total = s.c
        FROM (SELECT account_code, currency, entry_date AS day, coalesce(sum(base_debit), 0) AS d, coalesce(sum(base_credit), 0) AS c
                FROM journal_lines GROUP BY 1, 2, 3) s
       WHERE t.account_code = s.account_code AND t.currency = s.currency AND t.day = s.day`);
    await q.query(`ALTER TABLE account_balances ENABLE TRIGGER account_balances_guard`);
    await q.query(`ALTER TABLE ledger_daily_totals ENABLE TRIGGER ledger_daily_totals_guard`);

    // Every line posted from now on carries its base amounts; the old ones are left as they are.
    await q.query(`ALTER TABLE journal_lines
                     ADD CONSTRAINT journal_lines_base_present_check CHECK (base_debit IS NOT NULL AND base_credit IS NOT NULL) NOT VALID,
                     ADD CONSTRAINT journal_lines_base_sides_check
                       CHECK (coalesce(base_debit, 0) >= 0 AND coalesce(base_credit, 0) >= 0 AND NOT (base_debit > 0 AND base_credit > 0))`);
    if (!missing) await q.query(`ALTER TABLE journal_lines VALIDATE CONSTRAINT journal_lines_base_present_check`);

    // A line has exactly one side in its currency, or none and a base amount (a base-only line).
    await q.query(`ALTER TABLE journal_lines DROP CONSTRAINT journal_lines_one_side_check`);
    await q.query(`ALTER TABLE journal_lines ADD CONSTRAINT journal_lines_one_side_check
                   CHECK ((debit > 0 AND credit = 0) OR (credit > 0 AND debit = 0)
                          OR (debit = 0 AND credit = 0 AND (base_debit > 0 OR base_credit > 0)))`);
    await q.query(`
      CREATE FUNCTION ledger_line_base_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM accounts WHERE code = NEW.account_code AND type = 'other')
           AND NOT EXISTS (SELECT 1 FROM journal_entries WHERE id = NEW.entry_id
                            AND source_type IN ('revaluation', 'fx_difference', 'year_end_close')) THEN
          RAISE EXCEPTION 'a line without an amount in its currency (a base-only line) is allowed only on a foreign-exchange account or in a revaluation, not on account %', NEW.account_code
            USING ERRCODE = 'LDBON';
        END IF;
        RETURN NEW;
      END $$`);
    // The WHEN clause keeps the function off every ordinary line.
    await q.query(`CREATE TRIGGER journal_lines_base_only BEFORE INSERT ON journal_lines
                   FOR EACH ROW WHEN (NEW.debit = 0 AND NEW.credit = 0) EXECUTE FUNCTION ledger_line_base_only()`);

    // Balance at commit: per currency (LD001, as before) and in base (LD004). Entries with lines
    // from before this migration (no base) are never checked again: they are posted already.
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
      CREATE OR REPLACE FUNCTION ledger_lines_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO account_balances AS b (account_code, reseller_key, currency, debit_total, credit_total, base_debit_total, base_credit_total)
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
              base_credit_total = t.base_credit_total + EXCLUDED.base_credit_total;
        RETURN NULL;
      END $$`);

    await q.query(`REVOKE INSERT, UPDATE, DELETE ON ledger_settings FROM ${APP}`);
    await q.query(`REVOKE DELETE ON fx_rates FROM ${APP}`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_lines_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
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
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_check_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
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
    await q.query(`DROP TRIGGER journal_lines_base_only ON journal_lines`);
    await q.query(`DROP FUNCTION ledger_line_base_only`);
    await q.query(`ALTER TABLE journal_lines DROP CONSTRAINT journal_lines_one_side_check`);
    await q.query(`ALTER TABLE journal_lines ADD CONSTRAINT journal_lines_one_side_check
                   CHECK ((debit > 0 AND credit = 0) OR (credit > 0 AND debit = 0)) NOT VALID`);
    await q.query(
      `ALTER TABLE journal_lines DROP CONSTRAINT journal_lines_base_present_check, DROP CONSTRAINT journal_lines_base_sides_check`,
    );
    await q.query(`ALTER TABLE ledger_daily_totals DROP COLUMN base_debit_total, DROP COLUMN base_credit_total`);
    await q.query(`ALTER TABLE account_balances DROP COLUMN base_debit_total, DROP COLUMN base_credit_total`);
    await q.query(`ALTER TABLE journal_lines DROP COLUMN base_debit, DROP COLUMN base_credit`);
    await q.query(`DROP TABLE fx_rates`);
    await q.query(`DROP FUNCTION fx_rates_guard_used`);
    await q.query(`DROP TABLE ledger_settings`);
  }
}
