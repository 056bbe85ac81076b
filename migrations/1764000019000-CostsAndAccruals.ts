import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The cost side of the books (docs/accounting.md §2 and §3):
 *
 * - The chart gains the foreign-exchange accounts, of a new type `other` (neither operating revenue
 *   nor expense): 7100 realised and 7150 unrealised (revaluation) differences.
 * - Cost columns beside every price: `product_prices.unit_cost` (the vendor's cost per unit in the
 *   price's currency, effective-dated with the price), and on the documents that keep what was in
 *   force when ordered: `order_lines`, `subscription_charges` and `invoice_lines` carry `unit_cost`
 *   and the line's total `cost`. Null means "not known" (rows older than this migration; the catalog
 *   migration that follows reports them).
 * - `cost_accruals`: the subledger of 2050 (accrued vendor costs). One row per delivered cost
 *   (a shipped hardware line, a month of a cloud charge's service, a rated usage day), unique by its
 *   source, matched later to a vendor bill line. 2050's balance equals the unmatched accruals.
 */
export class CostsAndAccruals1764000019000 implements MigrationInterface {
  name = 'CostsAndAccruals1764000019000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts DROP CONSTRAINT accounts_type_check`);
    await q.query(`ALTER TABLE accounts ADD CONSTRAINT accounts_type_check
                   CHECK (type IN ('asset','liability','equity','revenue','contra_revenue','expense','other'))`);
    await q.query(`
      INSERT INTO accounts (code, name, type) VALUES
        ('7100', 'Foreign exchange — realised', 'other'),
        ('7150', 'Foreign exchange — unrealised (revaluation)', 'other')
      ON CONFLICT (code) DO NOTHING`);

    await q.query(`ALTER TABLE product_prices ADD COLUMN unit_cost numeric(20,4),
                   ADD CONSTRAINT product_prices_unit_cost_check CHECK (unit_cost IS NULL OR unit_cost >= 0)`);
    for (const table of ['order_lines', 'subscription_charges', 'invoice_lines']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN unit_cost numeric(20,4), ADD COLUMN cost numeric(20,4),
                     ADD CONSTRAINT ${table}_unit_cost_check CHECK (unit_cost IS NULL OR unit_cost >= 0)`);
    }

    await q.query(`
      CREATE TABLE cost_accruals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        vendor text NOT NULL,
        sku text NOT NULL,
        reseller_id uuid,
        currency char(3) NOT NULL,
        accrued_on date NOT NULL,
        period date GENERATED ALWAYS AS (make_date(extract(year FROM accrued_on)::int, extract(month FROM accrued_on)::int, 1)) STORED,
        quantity numeric(20,4) NOT NULL,
        amount numeric(20,4) NOT NULL,
        source_type text NOT NULL,
        source_id text NOT NULL,
        vendor_bill_line_id uuid,
        matched_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT cost_accruals_source_key UNIQUE (source_type, source_id),
        CONSTRAINT cost_accruals_source_type_check CHECK (source_type IN ('shipment','recognition','usage')),
        CONSTRAINT cost_accruals_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT cost_accruals_matched_check CHECK ((vendor_bill_line_id IS NULL) = (matched_at IS NULL))
      )`);
    await q.query(
      `CREATE INDEX cost_accruals_unmatched_idx ON cost_accruals (lower(vendor), period, sku) WHERE vendor_bill_line_id IS NULL`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cost_accruals`);
    for (const table of ['order_lines', 'subscription_charges', 'invoice_lines']) {
      await q.query(`ALTER TABLE ${table} DROP COLUMN unit_cost, DROP COLUMN cost`);
    }
    await q.query(`ALTER TABLE product_prices DROP COLUMN unit_cost`);
    await q.query(`DELETE FROM accounts WHERE code IN ('7100','7150')`);
    await q.query(`ALTER TABLE accounts DROP CONSTRAINT accounts_type_check`);
    await q.query(`ALTER TABLE accounts ADD CONSTRAINT accounts_type_check
                   CHECK (type IN ('asset','liability','equity','revenue','contra_revenue','expense'))`);
  }
}
