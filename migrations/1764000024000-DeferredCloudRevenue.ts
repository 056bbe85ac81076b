import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cloud revenue follows service (docs/accounting.md §3, "revenue recognition"):
 *
 * - Read contracts for the recognition run (docs/architecture.md §3): `cloud_charge_costs`
 *   (subscription: each charge's subscription and cost) and `catalog_product_vendors` (catalog:
 *   each product's vendor).
 * - `revenue_schedules` (invoicing): one row per invoiced cloud charge, what it releases from 2400
 *   to 4100 and how far it has released it (days, revenue, cost), and what credit notes took from
 *   its deferred part. `revenue_recognitions`: 2400's subledger of releases, one row per charge and
 *   contiguous run of service days inside one month, never updated. `revenue_deferral_credits`:
 *   the part of each cloud credit note taken from 2400. `revenue_recognition_runs`: one row per run.
 * - Existing data: cloud charges invoiced before this change were credited to 4100 in full. For
 *   each, what was not yet earned on the day before this migration runs moves from 4100 to 2400 with
 *   one dated entry per charge (source `deferral`, the charge id), and the days already earned are
 *   recorded as recognised (pointing at the invoice's entry), so that recognition continues from
 *   there. No posted line is edited.
 */
export class DeferredCloudRevenue1764000024000 implements MigrationInterface {
  name = 'DeferredCloudRevenue1764000024000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE VIEW cloud_charge_costs AS
      SELECT c.id AS charge_id, c.subscription_id, c.sku, c.quantity, c.cost FROM subscription_charges c`);
    await q.query(`CREATE VIEW catalog_product_vendors AS SELECT p.sku, p.vendor FROM products p`);

    await q.query(`
      CREATE TABLE revenue_schedules (
        charge_id uuid PRIMARY KEY,
        invoice_line_id uuid NOT NULL,
        invoice_id uuid NOT NULL,
        subscription_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        sku text NOT NULL,
        vendor text NOT NULL,
        currency char(3) NOT NULL,
        scale smallint NOT NULL,
        quantity integer NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL,
        days integer NOT NULL,
        net numeric(20,4) NOT NULL,
        cost numeric(20,4) NOT NULL,
        available_on date NOT NULL,
        deferred_on date NOT NULL,
        legacy_days integer NOT NULL DEFAULT 0,
        legacy_recognised numeric(20,4) NOT NULL DEFAULT 0,
        credited_deferred numeric(20,4) NOT NULL DEFAULT 0,
        base_days integer NOT NULL DEFAULT 0,
        base_amount numeric(20,4) NOT NULL DEFAULT 0,
        recognised_days integer NOT NULL DEFAULT 0,
        recognised_revenue numeric(20,4) NOT NULL DEFAULT 0,
        recognised_cost numeric(20,4) NOT NULL DEFAULT 0,
        done boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT revenue_schedules_invoice_line_key UNIQUE (invoice_line_id),
        CONSTRAINT revenue_schedules_days_check CHECK (days = period_end - period_start + 1 AND days > 0),
        CONSTRAINT revenue_schedules_progress_check CHECK (recognised_days BETWEEN 0 AND days AND base_days BETWEEN 0 AND recognised_days
                                                          AND legacy_days BETWEEN 0 AND recognised_days),
        CONSTRAINT revenue_schedules_done_check CHECK (done = (recognised_days = days))
      ) WITH (fillfactor = 70)`);
    // Open schedules by a flag set once, when the last day is released: the daily progress update
    // changes no indexed column, so it stays a HOT update (fillfactor leaves room on the page).
    await q.query(`CREATE INDEX revenue_schedules_open_idx ON revenue_schedules (available_on) WHERE NOT done`);
    await q.query(`CREATE INDEX revenue_schedules_subscription_idx ON revenue_schedules (subscription_id)`);
    await q.query(
      `CREATE INDEX invoice_lines_cloud_charge_idx ON invoice_lines (source_id) WHERE credit_line = 'CLOUD' AND source_type = 'subscription_charge'`,
    );

    await q.query(`
      CREATE TABLE revenue_recognitions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        charge_id uuid NOT NULL,
        subscription_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        sku text NOT NULL,
        vendor text NOT NULL,
        currency char(3) NOT NULL,
        period date NOT NULL,
        from_date date NOT NULL,
        to_date date NOT NULL,
        days integer NOT NULL,
        revenue numeric(20,4) NOT NULL,
        cost numeric(20,4) NOT NULL,
        recognised_on date NOT NULL,
        entry_source_id text,
        CONSTRAINT revenue_recognitions_charge_from_key UNIQUE (charge_id, from_date),
        CONSTRAINT revenue_recognitions_days_check CHECK (days = to_date - from_date + 1 AND days > 0),
        CONSTRAINT revenue_recognitions_month_check CHECK (period = date_trunc('month', from_date)::date AND date_trunc('month', to_date)::date = period)
      )`);
    await q.query(`CREATE INDEX revenue_recognitions_period_idx ON revenue_recognitions (period, reseller_id)`);

    await q.query(`
      CREATE TABLE revenue_deferral_credits (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        credit_note_id uuid NOT NULL,
        invoice_line_id uuid NOT NULL,
        charge_id uuid NOT NULL REFERENCES revenue_schedules (charge_id),
        reseller_id uuid NOT NULL,
        currency char(3) NOT NULL,
        issued_on date NOT NULL,
        amount numeric(20,4) NOT NULL,
        base_days integer NOT NULL,
        base_amount numeric(20,4) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT revenue_deferral_credits_note_charge_key UNIQUE (credit_note_id, charge_id)
      )`);

    await q.query(`
      CREATE TABLE revenue_recognition_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        through date NOT NULL,
        slices integer NOT NULL,
        entries integer NOT NULL,
        created_by uuid,
        ran_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The subledger of releases is append-only for the app, like the ledger it explains.
    const app = (await q.query(`SELECT 1 FROM pg_roles WHERE rolname = 'disty_app'`)) as unknown[];
    if (app.length) {
      await q.query(`REVOKE UPDATE, DELETE ON revenue_recognitions, revenue_deferral_credits FROM disty_app`);
    }

    await DeferredCloudRevenue1764000024000.deferLegacyCloudRevenue(q);
  }

  public async down(q: QueryRunner): Promise<void> {
    // Posted deferral entries stay (the ledger is immutable); the tables that explain them go.
    await q.query(`DROP TABLE revenue_recognition_runs`);
    await q.query(`DROP TABLE revenue_deferral_credits`);
    await q.query(`DROP TABLE revenue_recognitions`);
    await q.query(`DROP TABLE revenue_schedules`);
    await q.query(`DROP INDEX invoice_lines_cloud_charge_idx`);
    await q.query(`DROP VIEW catalog_product_vendors`);
    await q.query(`DROP VIEW cloud_charge_costs`);
  }

  /**
   * Moves what cloud charges credited to 4100 at invoicing have not earned by the day before `today`
   * (UTC) to 2400, one entry per charge dated today, and records their earned days as recognised.
   * Only charges whose invoice entry has a 4100 line and that have no schedule yet: running it again
   * does nothing. Static (the migrations loader takes every export of this file for a migration), for
   * the test that replays it on data posted under the old rule.
   */
  static async deferLegacyCloudRevenue(q: { query: (sql: string, params?: unknown[]) => Promise<unknown> }): Promise<void> {
    await q.query(`
      CREATE TEMP TABLE legacy_cloud ON COMMIT DROP AS
      SELECT x.*, round(x.net * x.earned_days / x.days, x.scale) AS earned
        FROM (
          SELECT l.source_id AS charge_id, l.id AS invoice_line_id, l.invoice_id, i.number AS invoice_number, c.subscription_id,
                 l.reseller_id, l.sku, coalesce(v.vendor, '') AS vendor, i.currency, CASE WHEN i.currency = 'JPY' THEN 0 ELSE 2 END AS scale,
                 l.quantity, l.period_start, l.period_end, (l.period_end - l.period_start + 1) AS days, l.net,
                 coalesce(c.cost, 0) AS cost, i.issue_date,
                 least(greatest(((now() AT TIME ZONE 'UTC')::date - 1) - l.period_start + 1, 0), l.period_end - l.period_start + 1) AS earned_days
            FROM invoice_lines l
            JOIN invoices i ON i.id = l.invoice_id
            JOIN cloud_charge_costs c ON c.charge_id = l.source_id
            LEFT JOIN catalog_product_vendors v ON v.sku = l.sku
           WHERE l.credit_line = 'CLOUD' AND l.source_type = 'subscription_charge'
             AND NOT EXISTS (SELECT 1 FROM revenue_schedules s WHERE s.charge_id = l.source_id)
             AND EXISTS (SELECT 1 FROM journal_entries e JOIN journal_lines jl ON jl.entry_id = e.id
                          WHERE e.source_type = 'invoice' AND e.source_id = i.id::text AND jl.account_code = '4100')) x`);
    await q.query(`
      INSERT INTO revenue_schedules (charge_id, invoice_line_id, invoice_id, subscription_id, reseller_id, sku, vendor, currency, scale, quantity,
                                     period_start, period_end, days, net, cost, available_on, deferred_on, legacy_days, legacy_recognised,
                                     recognised_days, recognised_revenue)
      SELECT charge_id, invoice_line_id, invoice_id, subscription_id, reseller_id, sku, vendor, currency, scale, quantity,
             period_start, period_end, days, net, cost, issue_date, (now() AT TIME ZONE 'UTC')::date, earned_days, earned, earned_days, earned
        FROM legacy_cloud`);
    // The earned days, per month, as recognised when the invoice was posted (cumulative rounding).
    await q.query(`
      INSERT INTO revenue_recognitions (charge_id, subscription_id, reseller_id, sku, vendor, currency, period, from_date, to_date, days,
                                        revenue, cost, recognised_on, entry_source_id)
      SELECT x.charge_id, x.subscription_id, x.reseller_id, x.sku, x.vendor, x.currency, f.period, f.from_date, f.to_date,
             f.to_date - f.from_date + 1,
             round(x.net * (f.to_date - x.period_start + 1) / x.days, x.scale) - round(x.net * (f.from_date - x.period_start) / x.days, x.scale),
             0, x.issue_date, x.invoice_id::text
        FROM legacy_cloud x
        CROSS JOIN LATERAL generate_series(date_trunc('month', x.period_start), date_trunc('month', x.period_start + x.earned_days - 1), interval '1 month') gs
        CROSS JOIN LATERAL (SELECT gs::date AS period, greatest(x.period_start, gs::date) AS from_date,
                                   least(x.period_start + x.earned_days - 1, (gs + interval '1 month' - interval '1 day')::date) AS to_date) f
       WHERE x.earned_days > 0`);
    // Replayed on a ledger that keeps base amounts (migration 1764000027000 and later), the lines
    // carry them too: at the latest rate on or before the day, the reporting currency at 1.
    const found = (await q.query(
      `SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'journal_lines' AND column_name = 'base_debit') AS based`,
    )) as Array<{ based: boolean }> | { rows: Array<{ based: boolean }> };
    const [{ based }] = Array.isArray(found) ? found : found.rows;
    const baseRate = `CASE WHEN x.currency = (SELECT reporting_currency FROM ledger_settings) THEN 1
                           ELSE (SELECT r.rate FROM fx_rates r WHERE r.currency = x.currency AND r.rate_date <= (now() AT TIME ZONE 'UTC')::date
                                  ORDER BY r.rate_date DESC LIMIT 1) END`;
    await q.query(`
      WITH e AS (
        INSERT INTO journal_entries (entry_date, memo, source_type, source_id)
        SELECT (now() AT TIME ZONE 'UTC')::date,
               left(format('Deferral of cloud charge %s (%s, service %s to %s, invoice %s): %s %s of its net %s was credited to revenue 4100 when invoiced '
                           || 'but not earned by %s; moved to deferred revenue 2400, recognised over its remaining service days (docs/accounting.md §3)',
                           charge_id, sku, period_start, period_end, invoice_number, net - earned, currency, net,
                           (now() AT TIME ZONE 'UTC')::date - 1), 500),
               'deferral', charge_id::text
          FROM legacy_cloud WHERE net <> earned
        ON CONFLICT (source_type, source_id) DO NOTHING
        RETURNING id, source_id)
      INSERT INTO journal_lines (entry_id, line_no, account_code, reseller_id, currency, debit, credit, entry_date${based ? ', base_debit, base_credit' : ''})
      SELECT e.id, v.n, v.account, x.reseller_id, x.currency, v.debit, v.credit, (now() AT TIME ZONE 'UTC')::date
             ${based ? `, round(v.debit * (${baseRate}), 2), round(v.credit * (${baseRate}), 2)` : ''}
        FROM e JOIN legacy_cloud x ON x.charge_id::text = e.source_id
        CROSS JOIN LATERAL (VALUES
          (1, '4100', greatest(x.net - x.earned, 0), greatest(x.earned - x.net, 0)),
          (2, '2400', greatest(x.earned - x.net, 0), greatest(x.net - x.earned, 0))) AS v(n, account, debit, credit)
       ORDER BY e.id, v.n`);
    await q.query(`DROP TABLE legacy_cloud`);
  }
}
