import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The catalog module's published read contract (docs/architecture.md §3), now defined by the
 * module that owns products and product_prices. The view was first created by
 * 1764000006000-RenewalAlerts; this restates it unchanged (CREATE OR REPLACE keeps its grants), so
 * its definition lives with its owner and any later change to it is made here, in a new catalog
 * migration.
 * - catalog_current_prices: the price in force per (sku, currency), with the product's linked
 *   extended-warranty SKU (a product with no current price appears once with a NULL currency).
 */
export class CatalogReadContract1764000017000 implements MigrationInterface {
  name = 'CatalogReadContract1764000017000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE VIEW catalog_current_prices AS
      SELECT p.sku, pp.currency, pp.unit_price, p.extended_warranty_sku
        FROM products p
        LEFT JOIN product_prices pp ON pp.sku = p.sku AND pp.valid_to IS NULL`);
  }

  public async down(): Promise<void> {
    // The definition is unchanged from 1764000006000, whose down drops the view.
  }
}
