import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage in the gross-margin report (docs/accounting.md §12, docs/consumption.md §5): the usage
 * module publishes `margin_usage`, its daily postings (`usage_postings`: rated net to 4100 and cost
 * to 5100 on the usage day, corrections as their differences) in the read-contract shape
 * (reseller_id, sku, vendor, currency, recognised_on, revenue, cost), and `margin_facts` unites it
 * with the others, so usage appears per reseller, product, vendor and month as seats do.
 */
export class UsageMargin1764000502000 implements MigrationInterface {
  name = 'UsageMargin1764000502000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE VIEW margin_usage AS
      SELECT p.reseller_id, p.sku, v.name AS vendor, p.currency, p.usage_date AS recognised_on, p.net AS revenue, p.cost
        FROM usage_postings p
        JOIN consumption_products cp ON cp.sku = p.sku
        JOIN vendors v ON v.id = cp.vendor_id`);
    await q.query(`
      CREATE OR REPLACE VIEW margin_facts AS
      SELECT * FROM margin_hardware
      UNION ALL SELECT * FROM margin_cloud
      UNION ALL SELECT * FROM margin_credit_notes
      UNION ALL SELECT * FROM margin_variances
      UNION ALL SELECT * FROM margin_usage`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW margin_facts`);
    await q.query(`
      CREATE VIEW margin_facts AS
      SELECT * FROM margin_hardware
      UNION ALL SELECT * FROM margin_cloud
      UNION ALL SELECT * FROM margin_credit_notes
      UNION ALL SELECT * FROM margin_variances`);
    await q.query(`DROP VIEW margin_usage`);
  }
}
