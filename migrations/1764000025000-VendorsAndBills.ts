import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Vendors, vendor bills and vendor payments: the payable side of the cost books
 * (docs/accounting.md §3 and §6).
 *
 * - `vendors`: one per catalog vendor (`products.vendor`), named exactly like it (unique
 *   case-insensitively, so "Dell" and "dell" are one vendor), with the currency it bills in by
 *   default and its payment terms. Every distinct vendor already in the catalog gets a vendor row
 *   here with currency AUD and 30 days' terms (change them with PATCH /vendors/:id).
 * - `vendor_bills` and `vendor_bill_lines`: a recorded vendor bill, its lines and what each line
 *   matched of the accrued costs (cost_accruals, 2050's subledger): matched quantity and amount and
 *   the variance (net − matched) posted to 5900. A bill's number is unique per vendor
 *   (case-insensitively). Bills and lines are immutable once recorded, like issued invoices: only
 *   `paid` (the settlement column) changes, and nothing is deleted or truncated.
 * - `vendor_bill_payments`: payments of a bill (2000 / 1000), immutable.
 * - `cost_accruals.vendor_bill_line_id` references the bill line that matched it; a matched accrual
 *   is frozen (neither re-matched, unmatched, changed nor deleted).
 */

const BILL_FROZEN = [
  'id',
  'vendor_id',
  'number',
  'bill_date',
  'due_date',
  'currency',
  'net',
  'tax',
  'gross',
  'matched',
  'variance',
  'created_by',
  'created_at',
];
const LINE_FROZEN = [
  'id',
  'bill_id',
  'line_no',
  'sku',
  'description',
  'quantity',
  'unit_cost',
  'net',
  'tax',
  'gross',
  'matched_quantity',
  'matched_amount',
  'variance',
  'allow_unmatched',
];
const PAYMENT_FROZEN = ['id', 'bill_id', 'amount', 'paid_on', 'reference', 'created_by', 'created_at'];

const IMMUTABLE: Record<string, string[]> = {
  vendor_bills: BILL_FROZEN,
  vendor_bill_lines: LINE_FROZEN,
  vendor_bill_payments: PAYMENT_FROZEN,
};

export class VendorsAndBills1764000025000 implements MigrationInterface {
  name = 'VendorsAndBills1764000025000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE vendors (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        currency char(3) NOT NULL,
        payment_terms_days integer NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT vendors_name_check CHECK (name = btrim(name) AND name <> '' AND length(name) <= 200),
        CONSTRAINT vendors_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT vendors_payment_terms_days_check CHECK (payment_terms_days BETWEEN 0 AND 365)
      )`);
    await q.query(`CREATE UNIQUE INDEX vendors_name_key ON vendors (lower(name))`);
    // One vendor per distinct catalog vendor, with documented defaults (AUD, 30 days).
    await q.query(`
      INSERT INTO vendors (name, currency, payment_terms_days)
      SELECT DISTINCT ON (lower(btrim(vendor))) btrim(vendor), 'AUD', 30
        FROM products WHERE btrim(vendor) <> ''
       ORDER BY lower(btrim(vendor)), btrim(vendor)
      ON CONFLICT DO NOTHING`);

    await q.query(`
      CREATE TABLE vendor_bills (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        vendor_id uuid NOT NULL,
        number text NOT NULL,
        bill_date date NOT NULL,
        due_date date NOT NULL,
        currency char(3) NOT NULL,
        net numeric(20,4) NOT NULL,
        tax numeric(20,4) NOT NULL,
        gross numeric(20,4) NOT NULL,
        matched numeric(20,4) NOT NULL,
        variance numeric(20,4) NOT NULL,
        paid numeric(20,4) NOT NULL DEFAULT 0,
        status text GENERATED ALWAYS AS (
          CASE WHEN paid = 0 THEN 'OPEN' WHEN paid < gross THEN 'PARTIALLY_PAID' ELSE 'PAID' END) STORED,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT vendor_bills_vendor_id_fkey FOREIGN KEY (vendor_id) REFERENCES vendors (id),
        CONSTRAINT vendor_bills_number_check CHECK (number = btrim(number) AND number <> '' AND length(number) <= 100),
        CONSTRAINT vendor_bills_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT vendor_bills_amounts_check CHECK (net > 0 AND tax >= 0 AND gross = net + tax AND variance = net - matched),
        CONSTRAINT vendor_bills_paid_check CHECK (paid >= 0 AND paid <= gross),
        CONSTRAINT vendor_bills_due_date_check CHECK (due_date >= bill_date)
      )`);
    await q.query(`CREATE UNIQUE INDEX vendor_bills_vendor_number_key ON vendor_bills (vendor_id, lower(number))`);
    await q.query(`CREATE INDEX vendor_bills_bill_date_idx ON vendor_bills (bill_date)`);

    await q.query(`
      CREATE TABLE vendor_bill_lines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        bill_id uuid NOT NULL,
        line_no integer NOT NULL,
        sku text,
        description text NOT NULL,
        quantity numeric(20,4) NOT NULL,
        unit_cost numeric(20,4) NOT NULL,
        net numeric(20,4) NOT NULL,
        tax numeric(20,4) NOT NULL,
        gross numeric(20,4) NOT NULL,
        matched_quantity numeric(20,4) NOT NULL,
        matched_amount numeric(20,4) NOT NULL,
        variance numeric(20,4) NOT NULL,
        allow_unmatched boolean NOT NULL DEFAULT false,
        CONSTRAINT vendor_bill_lines_bill_id_fkey FOREIGN KEY (bill_id) REFERENCES vendor_bills (id),
        CONSTRAINT vendor_bill_lines_line_no_key UNIQUE (bill_id, line_no),
        CONSTRAINT vendor_bill_lines_amounts_check CHECK (
          quantity > 0 AND unit_cost > 0 AND net > 0 AND tax >= 0 AND gross = net + tax
          AND matched_quantity >= 0 AND matched_quantity <= quantity AND variance = net - matched_amount),
        CONSTRAINT vendor_bill_lines_matched_check CHECK (matched_quantity > 0 OR (matched_amount = 0 AND allow_unmatched))
      )`);

    await q.query(`
      CREATE TABLE vendor_bill_payments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        bill_id uuid NOT NULL,
        amount numeric(20,4) NOT NULL,
        paid_on date NOT NULL,
        reference text NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT vendor_bill_payments_bill_id_fkey FOREIGN KEY (bill_id) REFERENCES vendor_bills (id),
        CONSTRAINT vendor_bill_payments_amount_check CHECK (amount > 0)
      )`);
    await q.query(`CREATE INDEX vendor_bill_payments_bill_id_idx ON vendor_bill_payments (bill_id)`);

    await q.query(`ALTER TABLE cost_accruals ADD CONSTRAINT cost_accruals_vendor_bill_line_id_fkey
                   FOREIGN KEY (vendor_bill_line_id) REFERENCES vendor_bill_lines (id)`);
    await q.query(
      `CREATE INDEX cost_accruals_vendor_bill_line_idx ON cost_accruals (vendor_bill_line_id) WHERE vendor_bill_line_id IS NOT NULL`,
    );

    // Recorded bills, their lines and payments are frozen (documents_guard_issued of
    // 1764000009000-DatabaseHardening, 'always': every listed column; TRUNCATE refused).
    for (const [table, columns] of Object.entries(IMMUTABLE)) {
      const args = ['always', ...columns].map((a) => `'${a}'`).join(', ');
      await q.query(`CREATE TRIGGER ${table}_issued_immutable BEFORE UPDATE OR DELETE ON ${table}
                     FOR EACH ROW EXECUTE FUNCTION documents_guard_issued(${args})`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
                     FOR EACH STATEMENT EXECUTE FUNCTION documents_guard_issued()`);
    }
    await q.query(`REVOKE DELETE ON vendor_bills, vendor_bill_lines, vendor_bill_payments FROM disty_app`);

    // A matched accrual stays matched to its bill line, with its amounts: 2050's subledger and the
    // bill's posting stay in agreement.
    await q.query(`
      CREATE FUNCTION cost_accruals_guard_matched() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.vendor_bill_line_id IS NOT NULL THEN
          RAISE EXCEPTION 'cost accrual % is matched to vendor bill line % and cannot change (% refused)', OLD.id, OLD.vendor_bill_line_id, TG_OP
            USING ERRCODE = 'PU010';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END $$`);
    await q.query(`CREATE TRIGGER cost_accruals_matched_frozen BEFORE UPDATE OR DELETE ON cost_accruals
                   FOR EACH ROW EXECUTE FUNCTION cost_accruals_guard_matched()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER cost_accruals_matched_frozen ON cost_accruals`);
    await q.query(`DROP FUNCTION cost_accruals_guard_matched`);
    await q.query(`DROP INDEX cost_accruals_vendor_bill_line_idx`);
    await q.query(`ALTER TABLE cost_accruals DROP CONSTRAINT cost_accruals_vendor_bill_line_id_fkey`);
    await q.query(`DROP TABLE vendor_bill_payments`);
    await q.query(`DROP TABLE vendor_bill_lines`);
    await q.query(`DROP TABLE vendor_bills`);
    await q.query(`DROP TABLE vendors`);
  }
}
