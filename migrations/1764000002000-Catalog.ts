import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The catalog: products (hardware with warranty months; cloud with term and billing frequency) and
 * their prices per currency with history. A price change closes the current row (valid_to) and
 * opens a new one, so it applies only to what is priced after it; at most one open price per
 * (sku, currency) is enforced by a partial unique index.
 */
export class Catalog1764000002000 implements MigrationInterface {
  name = 'Catalog1764000002000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE products (
        sku text PRIMARY KEY,
        name text NOT NULL,
        vendor text NOT NULL,
        kind text NOT NULL,
        warranty_months integer,
        term text,
        billing_frequency text,
        extended_warranty_sku text,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT products_sku_check CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
        CONSTRAINT products_kind_check CHECK (kind IN ('HARDWARE','CLOUD')),
        CONSTRAINT products_term_check CHECK (term IS NULL OR term IN ('P1M','P1Y','P3Y')),
        CONSTRAINT products_billing_frequency_check CHECK (billing_frequency IS NULL OR billing_frequency IN ('MONTHLY','ANNUAL','UPFRONT')),
        CONSTRAINT products_warranty_months_check CHECK (warranty_months IS NULL OR warranty_months BETWEEN 0 AND 240),
        CONSTRAINT products_hardware_shape_check CHECK (
          kind <> 'HARDWARE' OR (term IS NULL AND billing_frequency IS NULL)),
        CONSTRAINT products_cloud_shape_check CHECK (
          kind <> 'CLOUD' OR (term IS NOT NULL AND billing_frequency IS NOT NULL AND warranty_months IS NULL
                              AND extended_warranty_sku IS NULL)),
        CONSTRAINT products_extended_warranty_fkey FOREIGN KEY (extended_warranty_sku) REFERENCES products (sku)
      )`);
    await q.query(`CREATE INDEX products_vendor_idx ON products (lower(vendor))`);
    await q.query(`CREATE INDEX products_kind_idx ON products (kind, active)`);

    await q.query(`
      CREATE TABLE product_prices (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        sku text NOT NULL,
        currency char(3) NOT NULL,
        unit_price numeric(20,4) NOT NULL,
        valid_from timestamptz NOT NULL DEFAULT now(),
        valid_to timestamptz,
        CONSTRAINT product_prices_sku_fkey FOREIGN KEY (sku) REFERENCES products (sku),
        CONSTRAINT product_prices_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT product_prices_unit_price_check CHECK (unit_price > 0),
        CONSTRAINT product_prices_period_check CHECK (valid_to IS NULL OR valid_to >= valid_from)
      )`);
    await q.query(`CREATE UNIQUE INDEX product_prices_current_key ON product_prices (sku, currency) WHERE valid_to IS NULL`);
    await q.query(`CREATE INDEX product_prices_history_idx ON product_prices (sku, currency, valid_from)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE product_prices`);
    await q.query(`DROP TABLE products`);
  }
}
