import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Vendor invoice reconciliation (docs/consumption.md §9): a vendor's monthly invoice file compared
 * with what Disty accrued for that vendor and month, item by item, and the vendor bill accepting it.
 */
export class VendorReconciliation1764000051000 implements MigrationInterface {
  name = 'VendorReconciliation1764000051000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE vendor_reconciliations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        vendor_id uuid NOT NULL,
        month char(7) NOT NULL,
        currency char(3) NOT NULL,
        file_name text,
        lines_read integer NOT NULL,
        vendor_total numeric(20,4) NOT NULL,
        accrued_total numeric(20,4) NOT NULL,
        status text NOT NULL DEFAULT 'OPEN',
        vendor_bill_id uuid,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        accepted_at timestamptz,
        CONSTRAINT fk_vendor_reconciliations_vendor FOREIGN KEY (vendor_id) REFERENCES vendors (id),
        CONSTRAINT fk_vendor_reconciliations_bill FOREIGN KEY (vendor_bill_id) REFERENCES vendor_bills (id),
        CONSTRAINT ck_vendor_reconciliations_month CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        CONSTRAINT ck_vendor_reconciliations_status CHECK (status IN ('OPEN','ACCEPTED')),
        CONSTRAINT ck_vendor_reconciliations_accepted CHECK ((status = 'ACCEPTED') = (vendor_bill_id IS NOT NULL AND accepted_at IS NOT NULL))
      )`);
    // One accepted reconciliation (one bill) per vendor, month and currency.
    await q.query(
      `CREATE UNIQUE INDEX uq_vendor_reconciliations_accepted ON vendor_reconciliations (vendor_id, month, currency) WHERE status = 'ACCEPTED'`,
    );
    await q.query(`
      CREATE TABLE vendor_reconciliation_items (
        reconciliation_id uuid NOT NULL,
        item_no integer NOT NULL,
        kind text NOT NULL,
        tenant_id text,
        item text NOT NULL,
        sku text,
        vendor_quantity numeric(20,6),
        vendor_cost numeric(20,4),
        accrued_quantity numeric(20,6),
        accrued_cost numeric(20,4),
        CONSTRAINT pk_vendor_reconciliation_items PRIMARY KEY (reconciliation_id, item_no),
        CONSTRAINT fk_vendor_reconciliation_items_reconciliation FOREIGN KEY (reconciliation_id) REFERENCES vendor_reconciliations (id),
        CONSTRAINT ck_vendor_reconciliation_items_kind CHECK (kind IN ('MATCHED','MISSING_IN_DISTY','MISSING_AT_VENDOR','QUANTITY_DIFFERENCE','PRICE_DIFFERENCE'))
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE vendor_reconciliation_items, vendor_reconciliations`);
  }
}
