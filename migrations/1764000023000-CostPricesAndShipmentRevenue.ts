import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cost prices in force and hardware revenue at shipment (docs/accounting.md §2, §3):
 *
 * - `product_prices.unit_cost` stays NULL for the prices older than cost prices: NULL means "cost
 *   not known" (the column's comment says so). New prices always carry one (the catalog refuses a
 *   price without `costPrice`); GET /catalog/products/missing-costs lists the current prices still
 *   without one. Orders of such a product go through: their lines keep a NULL cost, counted as 0.
 * - A subscription and each of its terms keep the unit cost in force when ordered or renewed
 *   (`unit_cost`, monthly per seat like `unit_price`), so that every charge written later for the
 *   term (prorations, cancellation credits, rescheduled periods) takes its cost from its term.
 * - `order_lines.shipment_posted`: true when shipping the line posted its revenue and cost
 *   (1190 / 4000, 5000 / 2050). Lines shipped before this migration posted nothing at shipment, so
 *   they stay false and their invoice credits 4000 as before; every shipment from now on sets it.
 * - `order_lines.billed_on`: the issue date of the invoice that billed the line (filled for the
 *   lines already billed), so 1190 can be reconciled as of any date.
 */
export class CostPricesAndShipmentRevenue1764000023000 implements MigrationInterface {
  name = 'CostPricesAndShipmentRevenue1764000023000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`COMMENT ON COLUMN product_prices.unit_cost IS
      'Vendor cost per unit (cloud: per seat per month) in the price''s currency; NULL = not known (prices older than cost prices)'`);
    for (const table of ['subscriptions', 'subscription_terms']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN unit_cost numeric(20,4),
                     ADD CONSTRAINT ${table}_unit_cost_check CHECK (unit_cost IS NULL OR unit_cost >= 0)`);
    }
    await q.query(`ALTER TABLE order_lines ADD COLUMN shipment_posted boolean NOT NULL DEFAULT false,
                   ADD COLUMN billed_on date,
                   ADD CONSTRAINT order_lines_shipment_posted_check CHECK (NOT shipment_posted OR (kind = 'HARDWARE' AND status = 'SHIPPED')),
                   ADD CONSTRAINT order_lines_billed_on_check CHECK ((billed_on IS NULL) = (invoice_id IS NULL))`);
    await q.query(`UPDATE order_lines l SET billed_on = i.issue_date FROM invoices i WHERE i.id = l.invoice_id`);
    await q.query(`CREATE INDEX order_lines_unbilled_posted_idx ON order_lines (reseller_id) WHERE shipment_posted AND invoice_id IS NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX order_lines_unbilled_posted_idx`);
    await q.query(`ALTER TABLE order_lines DROP CONSTRAINT order_lines_billed_on_check, DROP CONSTRAINT order_lines_shipment_posted_check,
                   DROP COLUMN billed_on, DROP COLUMN shipment_posted`);
    for (const table of ['subscriptions', 'subscription_terms']) await q.query(`ALTER TABLE ${table} DROP COLUMN unit_cost`);
    await q.query(`COMMENT ON COLUMN product_prices.unit_cost IS NULL`);
  }
}
