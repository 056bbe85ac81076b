import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The database protects itself (docs/money-integrity.md, issue 13 leaks 9–11).
 *
 * - Shared aggregates cannot overflow: the maintained balances (account_balances, one row per
 *   account, reseller and currency) and the daily totals (ledger_daily_totals, shared by every
 *   reseller) widen from numeric(20,4) to numeric(30,4). With every input bounded by
 *   MAX_DOCUMENT_AMOUNT (10^12), that is 10^14 maximal documents on one row; a bigger input is
 *   422 before it reaches SQL, and any numeric overflow (SQLSTATE 22003) is a 422, never a 500.
 * - Issued documents are immutable: once an invoice has its number, its identity and money
 *   columns (and every line's) never change, and issued invoices, lines, credit notes and their
 *   lines are never deleted or truncated. The guard names the *immutable* columns (a whitelist
 *   of what is frozen), so settlement columns (paid, credited, and any added later) stay
 *   updatable. A column added later that is part of the document must be added to the list.
 * - Closed periods stay closed: a ledger_periods row is never deleted, nor its period or close
 *   stamp changed; the maintained balances, the daily totals, the periods and the AR subledger
 *   refuse TRUNCATE, whatever the role.
 * - The app role (`disty_app`) owns nothing: SELECT/INSERT/UPDATE/DELETE on the tables
 *   (and USAGE on sequences) by default, for the tables of this and of every later migration
 *   (ALTER DEFAULT PRIVILEGES), minus what it never needs: no writes to accounts or
 *   schema_migrations, no UPDATE/DELETE of journal rows or AR movements, no DELETE of balances,
 *   periods or issued documents, no UPDATE of periods. Owning nothing, it can neither TRUNCATE,
 *   nor ALTER TABLE … DISABLE TRIGGER, nor run any DDL. Migrations run as the owner role.
 */

const APP = 'disty_app';

const IMMUTABLE: Record<string, { issued: 'numbered' | 'invoice-numbered' | 'always'; columns: string[] }> = {
  invoices: {
    issued: 'numbered',
    columns: [
      'id',
      'number',
      'year',
      'seq',
      'reseller_id',
      'reseller_name',
      'billing_run_id',
      'period_end',
      'currency',
      'tax_rate',
      'issue_date',
      'due_date',
      'hardware_net',
      'hardware_tax',
      'hardware_gross',
      'cloud_net',
      'cloud_tax',
      'cloud_gross',
      'creditable_net',
      'created_at',
    ],
  },
  invoice_lines: {
    issued: 'invoice-numbered',
    columns: [
      'id',
      'invoice_id',
      'reseller_id',
      'line_no',
      'credit_line',
      'source_type',
      'source_id',
      'sku',
      'description',
      'quantity',
      'period_start',
      'period_end',
      'net',
      'tax',
      'gross',
    ],
  },
  credit_notes: {
    issued: 'always',
    columns: [
      'id',
      'number',
      'year',
      'seq',
      'invoice_id',
      'reseller_id',
      'currency',
      'issue_date',
      'reason',
      'hardware_net',
      'hardware_tax',
      'cloud_net',
      'cloud_tax',
      'created_by',
      'created_at',
    ],
  },
  credit_note_lines: {
    issued: 'always',
    columns: ['id', 'credit_note_id', 'invoice_line_id', 'reseller_id', 'credit_line', 'net', 'tax'],
  },
};

const WIDENED: Record<string, string[]> = {
  account_balances: ['debit_total', 'credit_total'],
  ledger_daily_totals: ['debit_total', 'credit_total'],
};

const NO_TRUNCATE = ['account_balances', 'ledger_daily_totals', 'ledger_periods', 'ar_movements', ...Object.keys(IMMUTABLE)];

export class DatabaseHardening1764000009000 implements MigrationInterface {
  name = 'DatabaseHardening1764000009000';

  public async up(q: QueryRunner): Promise<void> {
    // ---------------------------------------------------------------- leak 9: no shared overflow
    for (const [table, columns] of Object.entries(WIDENED)) {
      await q.query(`ALTER TABLE ${table} ${columns.map((c) => `ALTER COLUMN ${c} TYPE numeric(30,4)`).join(', ')}`);
    }

    // ---------------------------------------------------------------- leak 10: issued documents
    // A typo in a column list would silently freeze nothing: check every name exists.
    for (const [table, spec] of Object.entries(IMMUTABLE)) {
      const rows: Array<{ column_name: string }> = await q.query(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`,
        [table],
      );
      const have = new Set(rows.map((r) => r.column_name));
      const missing = spec.columns.filter((c) => !have.has(c));
      if (missing.length) throw new Error(`DatabaseHardening: ${table} has no column ${missing.join(', ')}`);
    }
    await q.query(`
      CREATE FUNCTION documents_guard_issued() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        issued boolean;
        old_row jsonb;
        new_row jsonb;
        col text;
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          RAISE EXCEPTION 'issued documents are immutable: TRUNCATE on % is not allowed', TG_TABLE_NAME USING ERRCODE = 'IV010';
        END IF;
        old_row := to_jsonb(OLD);
        issued := CASE TG_ARGV[0]
          WHEN 'always' THEN true
          WHEN 'numbered' THEN old_row->>'number' IS NOT NULL
          WHEN 'invoice-numbered' THEN EXISTS (
            SELECT 1 FROM invoices i WHERE i.id = (old_row->>'invoice_id')::uuid AND i.number IS NOT NULL)
        END;
        IF NOT issued THEN
          RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END IF;
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'issued documents are immutable: DELETE on % is not allowed; issue a credit note instead', TG_TABLE_NAME
            USING ERRCODE = 'IV010';
        END IF;
        new_row := to_jsonb(NEW);
        FOR i IN 1 .. TG_NARGS - 1 LOOP
          col := TG_ARGV[i];
          IF old_row->col IS DISTINCT FROM new_row->col THEN
            RAISE EXCEPTION 'issued documents are immutable: %.% cannot change once issued; issue a credit note instead', TG_TABLE_NAME, col
              USING ERRCODE = 'IV010';
          END IF;
        END LOOP;
        RETURN NEW;
      END $$`);
    for (const [table, spec] of Object.entries(IMMUTABLE)) {
      const args = [spec.issued, ...spec.columns].map((a) => `'${a}'`).join(', ');
      await q.query(`CREATE TRIGGER ${table}_issued_immutable BEFORE UPDATE OR DELETE ON ${table}
                     FOR EACH ROW EXECUTE FUNCTION documents_guard_issued(${args})`);
    }

    // ---------------------------------------------------------------- leak 11: periods, TRUNCATE
    await q.query(`
      CREATE FUNCTION ledger_periods_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' OR NEW.period IS DISTINCT FROM OLD.period OR NEW.closed_at IS DISTINCT FROM OLD.closed_at
           OR NEW.closed_by IS DISTINCT FROM OLD.closed_by THEN
          RAISE EXCEPTION 'period % is closed and cannot be reopened (% on ledger_periods is not allowed)', OLD.period, TG_OP
            USING ERRCODE = 'LD010';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER ledger_periods_closed BEFORE UPDATE OR DELETE ON ledger_periods
                   FOR EACH ROW EXECUTE FUNCTION ledger_periods_guard()`);
    await q.query(`
      CREATE FUNCTION ledger_forbid_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'TRUNCATE on % is not allowed: the ledger and its subledgers are never emptied', TG_TABLE_NAME
          USING ERRCODE = 'LD010';
      END $$`);
    for (const table of NO_TRUNCATE) {
      const fn = table in IMMUTABLE ? 'documents_guard_issued()' : 'ledger_forbid_truncate()';
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}`);
    }

    // ---------------------------------------------------------------- leak 11: the app role
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP}') THEN
          CREATE ROLE ${APP} NOLOGIN;
        END IF;
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'the role ${APP} does not exist and % may not create it: create it first (README, "Database roles")', current_user;
      END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO ${APP}`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP}`);
    await q.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP}`);
    // Tables and sequences that later migrations create (as this same role) get the same grants.
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP}`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${APP}`);
    // What the app never needs.
    await q.query(`REVOKE INSERT, UPDATE, DELETE ON accounts, schema_migrations FROM ${APP}`);
    await q.query(`REVOKE UPDATE, DELETE ON journal_entries, journal_lines, ar_movements FROM ${APP}`);
    await q.query(`REVOKE DELETE ON account_balances, ledger_daily_totals FROM ${APP}`);
    await q.query(`REVOKE UPDATE, DELETE ON ledger_periods FROM ${APP}`);
    await q.query(`REVOKE DELETE ON invoices, invoice_lines, credit_notes, credit_note_lines FROM ${APP}`);
    await q.query(`REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM ${APP}`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM ${APP}`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM ${APP}`);
    for (const table of NO_TRUNCATE) await q.query(`DROP TRIGGER ${table}_no_truncate ON ${table}`);
    await q.query(`DROP TRIGGER ledger_periods_closed ON ledger_periods`);
    for (const table of Object.keys(IMMUTABLE)) await q.query(`DROP TRIGGER ${table}_issued_immutable ON ${table}`);
    await q.query(`DROP FUNCTION ledger_forbid_truncate, ledger_periods_guard, documents_guard_issued`);
    for (const [table, columns] of Object.entries(WIDENED)) {
      await q.query(`ALTER TABLE ${table} ${columns.map((c) => `ALTER COLUMN ${c} TYPE numeric(20,4)`).join(', ')}`);
    }
  }
}
