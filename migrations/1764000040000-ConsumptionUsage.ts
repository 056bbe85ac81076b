import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cloud consumption billing, core pipeline (docs/consumption.md):
 * - catalog: `consumption_products` (kind CONSUMPTION, one vendor), their `usage_meters` (a vendor's
 *   meter id, unique per vendor), the meters' price tiers per currency (`usage_meter_tiers`, flat =
 *   one tier) and cost per unit per currency (`usage_meter_costs`);
 * - `consumption_subscriptions`: a reseller's end customer ↔ the vendor's tenant/account id
 *   (unique per vendor);
 * - `usage_imports` (progress) and `usage_import_rejections` (reason and line number);
 * - `usage_records`: one row per (vendor, record id, version), append-only in what the vendor said;
 *   a correction supersedes the current version (never overwrites it); rated amounts beside it,
 *   and what of it has been invoiced (billed_quantity / billed_net);
 * - `usage_postings`: the daily ledger postings (1190 / 4100, 5100 / 2050) of rated usage, deltas per
 *   (reseller, currency, day), so the ledger always equals the sum of current rated usage;
 * - `usage_billing_items`: which records (and what part of them) each usage invoice line billed;
 * - invoice lines may have the source type `usage` and carry the usage quantity and unit.
 *
 * `usage_records` and `usage_billing_items` have no foreign keys: their rows are written only by
 * set-based statements that take every id from a join with the referenced table in the same
 * transaction, and a million per-row foreign-key checks cost more than the import itself
 * (docs/consumption.md, "Performance"). record_id compares bytewise (COLLATE "C"), as rating orders it.
 */
export class ConsumptionUsage1764000040000 implements MigrationInterface {
  name = 'ConsumptionUsage1764000040000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE consumption_products (
        sku text PRIMARY KEY,
        name text NOT NULL,
        vendor_id uuid NOT NULL,
        tax_category text NOT NULL DEFAULT 'STANDARD',
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT fk_consumption_products_vendor FOREIGN KEY (vendor_id) REFERENCES vendors (id),
        CONSTRAINT ck_consumption_products_name CHECK (name = btrim(name) AND name <> '')
      )`);
    await q.query(`CREATE INDEX ix_consumption_products_vendor ON consumption_products (vendor_id)`);
    await q.query(`
      CREATE TABLE usage_meters (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        sku text NOT NULL,
        vendor_id uuid NOT NULL,
        meter_id text NOT NULL,
        name text NOT NULL,
        unit text NOT NULL,
        CONSTRAINT fk_usage_meters_product FOREIGN KEY (sku) REFERENCES consumption_products (sku),
        CONSTRAINT uq_usage_meters_vendor_meter UNIQUE (vendor_id, meter_id),
        CONSTRAINT ck_usage_meters_meter_id CHECK (meter_id = btrim(meter_id) AND meter_id <> '')
      )`);
    await q.query(`CREATE INDEX ix_usage_meters_sku ON usage_meters (sku)`);
    await q.query(`
      CREATE TABLE usage_meter_tiers (
        meter_id uuid NOT NULL,
        currency char(3) NOT NULL,
        tier_no integer NOT NULL,
        from_quantity numeric(20,6) NOT NULL,
        to_quantity numeric(20,6),
        unit_price numeric(20,6) NOT NULL,
        CONSTRAINT pk_usage_meter_tiers PRIMARY KEY (meter_id, currency, tier_no),
        CONSTRAINT fk_usage_meter_tiers_meter FOREIGN KEY (meter_id) REFERENCES usage_meters (id),
        CONSTRAINT ck_usage_meter_tiers_range CHECK (from_quantity >= 0 AND (to_quantity IS NULL OR to_quantity > from_quantity)),
        CONSTRAINT ck_usage_meter_tiers_price CHECK (unit_price >= 0)
      )`);
    await q.query(`
      CREATE TABLE usage_meter_costs (
        meter_id uuid NOT NULL,
        currency char(3) NOT NULL,
        unit_cost numeric(20,6) NOT NULL,
        CONSTRAINT pk_usage_meter_costs PRIMARY KEY (meter_id, currency),
        CONSTRAINT fk_usage_meter_costs_meter FOREIGN KEY (meter_id) REFERENCES usage_meters (id),
        CONSTRAINT ck_usage_meter_costs_cost CHECK (unit_cost >= 0)
      )`);

    await q.query(`
      CREATE TABLE consumption_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reseller_id uuid NOT NULL,
        end_customer_id uuid NOT NULL,
        sku text NOT NULL,
        vendor_id uuid NOT NULL,
        tenant_id text NOT NULL,
        currency char(3) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT fk_consumption_subscriptions_product FOREIGN KEY (sku) REFERENCES consumption_products (sku),
        CONSTRAINT uq_consumption_subscriptions_vendor_tenant UNIQUE (vendor_id, tenant_id),
        CONSTRAINT ck_consumption_subscriptions_tenant CHECK (tenant_id = btrim(tenant_id) AND tenant_id <> '')
      )`);
    // The end customer is checked by the customers module (the reseller's own, EndCustomerService.get)
    // when the subscription is created; no foreign key, so the customers migration stays reversible.
    await q.query(`CREATE INDEX ix_consumption_subscriptions_reseller ON consumption_subscriptions (reseller_id)`);

    await q.query(`
      CREATE TABLE usage_imports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        vendor_id uuid NOT NULL,
        format text NOT NULL,
        file_name text,
        status text NOT NULL DEFAULT 'RECEIVING',
        rows_read integer NOT NULL DEFAULT 0,
        rows_accepted integer NOT NULL DEFAULT 0,
        rows_corrected integer NOT NULL DEFAULT 0,
        rows_rejected integer NOT NULL DEFAULT 0,
        rows_duplicate integer NOT NULL DEFAULT 0,
        error text,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CONSTRAINT fk_usage_imports_vendor FOREIGN KEY (vendor_id) REFERENCES vendors (id),
        CONSTRAINT ck_usage_imports_format CHECK (format IN ('csv','jsonl')),
        CONSTRAINT ck_usage_imports_status CHECK (status IN ('RECEIVING','RATING','COMPLETED','FAILED'))
      )`);
    await q.query(`
      CREATE TABLE usage_import_rejections (
        import_id uuid NOT NULL,
        line_no integer NOT NULL,
        record_id text,
        reason text NOT NULL,
        detail text NOT NULL,
        CONSTRAINT pk_usage_import_rejections PRIMARY KEY (import_id, line_no),
        CONSTRAINT fk_usage_import_rejections_import FOREIGN KEY (import_id) REFERENCES usage_imports (id)
      )`);

    await q.query(`
      CREATE TABLE usage_records (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        vendor_id uuid NOT NULL,
        record_id text COLLATE "C" NOT NULL,
        version integer NOT NULL,
        import_id uuid NOT NULL,
        line_no integer NOT NULL,
        subscription_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        meter_id uuid NOT NULL,
        usage_date date NOT NULL,
        quantity numeric(20,6) NOT NULL,
        unit text NOT NULL,
        vendor_unit_cost numeric(20,6),
        vendor_currency char(3) NOT NULL,
        currency char(3) NOT NULL,
        rated_net numeric(20,4) NOT NULL DEFAULT 0,
        rated_cost numeric(20,4) NOT NULL DEFAULT 0,
        superseded_by_version integer,
        superseded_at timestamptz,
        billed_quantity numeric(20,6) NOT NULL DEFAULT 0,
        billed_net numeric(20,4) NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_usage_records_quantity CHECK (quantity >= 0),
        CONSTRAINT ck_usage_records_version CHECK (version >= 1),
        CONSTRAINT ck_usage_records_superseded CHECK ((superseded_by_version IS NULL) = (superseded_at IS NULL) AND (superseded_by_version IS NULL OR superseded_by_version > version))
      )`);
    // One current version per vendor record: what makes re-imports idempotent. A new version is
    // always above the current one (the import and the CHECK on superseded_by_version), so versions
    // of a record never repeat without a second unique index.
    await q.query(`CREATE UNIQUE INDEX uq_usage_records_current ON usage_records (vendor_id, record_id) WHERE superseded_at IS NULL`);
    await q.query(
      `CREATE INDEX ix_usage_records_rating ON usage_records (subscription_id, meter_id, usage_date) WHERE superseded_at IS NULL`,
    );
    await q.query(`CREATE INDEX ix_usage_records_reseller ON usage_records (reseller_id, usage_date)`);

    await q.query(`
      CREATE TABLE usage_postings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        import_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        currency char(3) NOT NULL,
        usage_date date NOT NULL,
        sku text NOT NULL,
        quantity numeric(20,6) NOT NULL,
        net numeric(20,4) NOT NULL,
        cost numeric(20,4) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_usage_postings_import_day UNIQUE (import_id, reseller_id, currency, usage_date, sku),
        CONSTRAINT fk_usage_postings_import FOREIGN KEY (import_id) REFERENCES usage_imports (id)
      )`);
    await q.query(`CREATE INDEX ix_usage_postings_reseller ON usage_postings (reseller_id, currency, usage_date)`);

    await q.query(`
      CREATE TABLE usage_billing_items (
        usage_record_id bigint NOT NULL,
        usage_line_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        billed_on date NOT NULL,
        quantity numeric(20,6) NOT NULL,
        net numeric(20,4) NOT NULL,
        CONSTRAINT pk_usage_billing_items PRIMARY KEY (usage_line_id, usage_record_id)
      )`);
    await q.query(`CREATE INDEX ix_usage_billing_items_reseller ON usage_billing_items (reseller_id, billed_on)`);

    await q.query(`ALTER TABLE invoice_lines DROP CONSTRAINT invoice_lines_source_type_check`);
    await q.query(`ALTER TABLE invoice_lines ADD CONSTRAINT invoice_lines_source_type_check
                   CHECK (source_type IN ('order_line','subscription_charge','usage'))`);
    await q.query(`ALTER TABLE invoice_lines ADD COLUMN usage_quantity numeric(20,6), ADD COLUMN usage_unit text`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE invoice_lines DROP COLUMN usage_quantity, DROP COLUMN usage_unit`);
    await q.query(`ALTER TABLE invoice_lines DROP CONSTRAINT invoice_lines_source_type_check`);
    await q.query(`ALTER TABLE invoice_lines ADD CONSTRAINT invoice_lines_source_type_check
                   CHECK (source_type IN ('order_line','subscription_charge'))`);
    for (const t of [
      'usage_billing_items',
      'usage_postings',
      'usage_records',
      'usage_import_rejections',
      'usage_imports',
      'consumption_subscriptions',
      'usage_meter_costs',
      'usage_meter_tiers',
      'usage_meters',
      'consumption_products',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
