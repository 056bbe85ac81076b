import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The catalog's published read contract gains the product's name (docs/architecture.md §3), so the
 * renewal desk can show it without reading products: catalog_current_prices adds product_name as
 * its last column (CREATE OR REPLACE VIEW may only append columns; existing readers are unchanged).
 */
export class CatalogReadContractProductName1764000031000 implements MigrationInterface {
  name = 'CatalogReadContractProductName1764000031000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE VIEW catalog_current_prices AS
      SELECT p.sku, pp.currency, pp.unit_price, p.extended_warranty_sku, p.name AS product_name
        FROM products p
        LEFT JOIN product_prices pp ON pp.sku = p.sku AND pp.valid_to IS NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    // A view cannot drop a column by CREATE OR REPLACE: recreate it as 1764000017000 left it.
    await q.query(`DROP VIEW catalog_current_prices`);
    await q.query(`
      CREATE VIEW catalog_current_prices AS
      SELECT p.sku, pp.currency, pp.unit_price, p.extended_warranty_sku
        FROM products p
        LEFT JOIN product_prices pp ON pp.sku = p.sku AND pp.valid_to IS NULL`);
  }
}
