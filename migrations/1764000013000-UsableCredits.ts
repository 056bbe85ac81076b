import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usable credits and the tax rate in force (issue 13, leaks 3 and 4; see docs/money-integrity.md).
 *
 * - `invoices.{hardware,cloud}_offset`: what credit applications (and refunds of a credit balance)
 *   moved on each credit line of an invoice. A positive side that receives a credit has a positive
 *   offset; a negative side (a credit: proration credits, cancellation credits) whose credit was
 *   used or refunded has a negative one. open = gross − paid − credited − offset. The CHECKs keep
 *   a positive side's open amount in [0, gross] and a negative side's in [gross, 0]: a credit is
 *   never used twice and a debt never over-settled. A negative side never receives cash.
 * - `status`: PAID only when nothing at all is open (neither a debt nor an unused credit).
 * - `credit_applications`: one row per application of a credit (from an invoice's negative side)
 *   to an invoice's positive side, each posted as one journal entry (source credit_application).
 * - `credit_refunds` / `credit_refund_parts`: a bank refund of a reseller's credit balance
 *   (POST /refunds), from unused credits (1100/1110) and unapplied bank cash (2200), credit 1000.
 * - `ar_movements.kind` gains CREDIT_APPLICATION (REFUND already exists).
 * - Tax rate in force: `order_lines.tax_rate` (the order's rate), `subscription_terms.tax_rate`
 *   (the reseller's rate when the term started: order time for the first term, renewal time for a
 *   renewal) and `subscription_charges.tax_rate` (its term's rate, so prorations and credits use
 *   the rate of the charges they adjust); `invoice_lines.tax_rate` is the rate the line was
 *   taxed at (credit notes use it). Filled on insert by triggers when the writer gives none, and
 *   backfilled for existing rows from the order / the reseller's current rate.
 */
export class UsableCredits1764000013000 implements MigrationInterface {
  name = 'UsableCredits1764000013000';

  public async up(q: QueryRunner): Promise<void> {
    // ---------------------------------------------------------------- leak 3: usable credits
    await q.query(`ALTER TABLE invoices ADD COLUMN hardware_offset numeric(20,4) NOT NULL DEFAULT 0,
                                        ADD COLUMN cloud_offset numeric(20,4) NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE invoices DROP CONSTRAINT invoices_hardware_settled_check, DROP CONSTRAINT invoices_cloud_settled_check`);
    const open = (l: string) => `(${l}_gross - ${l}_paid - ${l}_credited - ${l}_offset)`;
    await q.query(`ALTER TABLE invoices ALTER COLUMN hardware_open SET EXPRESSION AS ${open('hardware')}`);
    await q.query(`ALTER TABLE invoices ALTER COLUMN cloud_open SET EXPRESSION AS ${open('cloud')}`);
    await q.query(`ALTER TABLE invoices ALTER COLUMN status SET EXPRESSION AS (
      CASE
        WHEN creditable_net > 0 AND credited_net = creditable_net AND ${open('hardware')} = 0 AND ${open('cloud')} = 0 THEN 'CREDITED'
        WHEN ${open('hardware')} = 0 AND ${open('cloud')} = 0 THEN 'PAID'
        WHEN hardware_paid + cloud_paid + greatest(hardware_offset, 0) + greatest(cloud_offset, 0) > 0 THEN 'PARTIALLY_PAID'
        ELSE 'ISSUED'
      END)`);
    for (const l of ['hardware', 'cloud']) {
      await q.query(`ALTER TABLE invoices ADD CONSTRAINT invoices_${l}_settled_check CHECK (
        ${l}_paid >= 0 AND ${l}_credited >= 0
        AND (${l}_gross < 0 OR (${l}_offset >= 0 AND ${open(l)} >= 0))
        AND (${l}_gross >= 0 OR (${l}_paid = 0 AND ${l}_credited = 0 AND ${l}_offset <= 0 AND ${open(l)} <= 0)))`);
    }
    await q.query(`CREATE INDEX invoices_credit_idx ON invoices (reseller_id, currency) WHERE hardware_open < 0 OR cloud_open < 0`);

    await q.query(`ALTER TABLE ar_movements DROP CONSTRAINT ar_movements_kind_check`);
    await q.query(`ALTER TABLE ar_movements ADD CONSTRAINT ar_movements_kind_check
                   CHECK (kind IN ('INVOICE','PAYMENT','CREDIT_NOTE','REFUND','CREDIT_APPLICATION'))`);

    await q.query(`
      CREATE TABLE credit_applications (
        id uuid PRIMARY KEY,
        reseller_id uuid NOT NULL,
        currency char(3) NOT NULL,
        from_invoice_id uuid NOT NULL,
        from_line text NOT NULL,
        to_invoice_id uuid NOT NULL,
        to_line text NOT NULL,
        amount numeric(20,4) NOT NULL,
        applied_on date NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT credit_applications_from_invoice_id_fkey FOREIGN KEY (from_invoice_id) REFERENCES invoices (id),
        CONSTRAINT credit_applications_to_invoice_id_fkey FOREIGN KEY (to_invoice_id) REFERENCES invoices (id),
        CONSTRAINT credit_applications_lines_check CHECK (from_line IN ('HARDWARE','CLOUD') AND to_line IN ('HARDWARE','CLOUD')),
        CONSTRAINT credit_applications_distinct_check CHECK (from_invoice_id <> to_invoice_id OR from_line <> to_line),
        CONSTRAINT credit_applications_amount_check CHECK (amount > 0)
      )`);
    await q.query(`CREATE INDEX credit_applications_reseller_id_idx ON credit_applications (reseller_id, applied_on)`);
    await q.query(`CREATE INDEX credit_applications_from_idx ON credit_applications (from_invoice_id)`);
    await q.query(`CREATE INDEX credit_applications_to_idx ON credit_applications (to_invoice_id)`);

    await q.query(`
      CREATE TABLE credit_refunds (
        id uuid PRIMARY KEY,
        reseller_id uuid NOT NULL,
        currency char(3) NOT NULL,
        amount numeric(20,4) NOT NULL,
        reference text NOT NULL,
        paid_on date NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT credit_refunds_amount_check CHECK (amount > 0)
      )`);
    await q.query(`CREATE INDEX credit_refunds_reseller_id_idx ON credit_refunds (reseller_id, paid_on)`);
    await q.query(`
      CREATE TABLE credit_refund_parts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        refund_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        invoice_id uuid,
        credit_line text,
        payment_id uuid,
        amount numeric(20,4) NOT NULL,
        CONSTRAINT credit_refund_parts_refund_id_fkey FOREIGN KEY (refund_id) REFERENCES credit_refunds (id),
        CONSTRAINT credit_refund_parts_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES invoices (id),
        CONSTRAINT credit_refund_parts_source_check CHECK (
          (invoice_id IS NOT NULL AND credit_line IN ('HARDWARE','CLOUD') AND payment_id IS NULL)
          OR (invoice_id IS NULL AND credit_line IS NULL AND payment_id IS NOT NULL)),
        CONSTRAINT credit_refund_parts_amount_check CHECK (amount > 0)
      )`);
    await q.query(`CREATE INDEX credit_refund_parts_refund_id_idx ON credit_refund_parts (refund_id)`);
    await q.query(`CREATE INDEX credit_refund_parts_reseller_id_idx ON credit_refund_parts (reseller_id)`);
    for (const table of ['credit_applications', 'credit_refunds', 'credit_refund_parts']) {
      await q.query(`CREATE TRIGGER ${table}_immutable BEFORE UPDATE OR DELETE ON ${table}
                     FOR EACH ROW EXECUTE FUNCTION ar_movements_forbid_change()`);
    }

    // ---------------------------------------------------------------- leak 4: the tax rate in force
    await q.query(`ALTER TABLE order_lines ADD COLUMN tax_rate numeric(9,6)`);
    await q.query(`UPDATE order_lines l SET tax_rate = o.tax_rate FROM orders o WHERE o.id = l.order_id`);
    await q.query(`ALTER TABLE order_lines ALTER COLUMN tax_rate SET NOT NULL,
                   ADD CONSTRAINT order_lines_tax_rate_check CHECK (tax_rate >= 0 AND tax_rate < 1)`);
    await q.query(`
      CREATE FUNCTION order_lines_default_tax_rate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.tax_rate IS NULL THEN
          SELECT o.tax_rate INTO NEW.tax_rate FROM orders o WHERE o.id = NEW.order_id;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER order_lines_tax_rate BEFORE INSERT ON order_lines
                   FOR EACH ROW EXECUTE FUNCTION order_lines_default_tax_rate()`);

    await q.query(`ALTER TABLE subscription_terms ADD COLUMN tax_rate numeric(9,6)`);
    // A first term takes its order's rate; a renewal term (and a term of an unknown order) the
    // reseller's current rate, the best record of the rate in force.
    await q.query(`UPDATE subscription_terms t SET tax_rate = coalesce(
                     (SELECT o.tax_rate FROM subscriptions s JOIN order_lines l ON l.id = s.order_line_id JOIN orders o ON o.id = l.order_id
                       WHERE s.id = t.subscription_id AND t.term_no = 1),
                     (SELECT r.tax_rate FROM resellers r WHERE r.id = t.reseller_id))`);
    await q.query(`ALTER TABLE subscription_terms ALTER COLUMN tax_rate SET NOT NULL,
                   ADD CONSTRAINT subscription_terms_tax_rate_check CHECK (tax_rate >= 0 AND tax_rate < 1)`);
    // A term is inserted in the transaction that places its order (first term) or renews it: the
    // reseller's rate at that moment is the rate in force.
    await q.query(`
      CREATE FUNCTION subscription_terms_default_tax_rate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.tax_rate IS NULL THEN
          SELECT r.tax_rate INTO NEW.tax_rate FROM resellers r WHERE r.id = NEW.reseller_id;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER subscription_terms_tax_rate BEFORE INSERT ON subscription_terms
                   FOR EACH ROW EXECUTE FUNCTION subscription_terms_default_tax_rate()`);

    await q.query(`ALTER TABLE subscription_charges ADD COLUMN tax_rate numeric(9,6)`);
    await q.query(`UPDATE subscription_charges c SET tax_rate = t.tax_rate FROM subscription_terms t WHERE t.id = c.term_id`);
    await q.query(`ALTER TABLE subscription_charges ALTER COLUMN tax_rate SET NOT NULL,
                   ADD CONSTRAINT subscription_charges_tax_rate_check CHECK (tax_rate >= 0 AND tax_rate < 1)`);
    await q.query(`
      CREATE FUNCTION subscription_charges_default_tax_rate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.tax_rate IS NULL THEN
          SELECT t.tax_rate INTO NEW.tax_rate FROM subscription_terms t WHERE t.id = NEW.term_id;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER subscription_charges_tax_rate BEFORE INSERT ON subscription_charges
                   FOR EACH ROW EXECUTE FUNCTION subscription_charges_default_tax_rate()`);

    await q.query(`ALTER TABLE invoice_lines ADD COLUMN tax_rate numeric(9,6)`);
    await q.query(`UPDATE invoice_lines l SET tax_rate = i.tax_rate FROM invoices i WHERE i.id = l.invoice_id`);
    await q.query(`ALTER TABLE invoice_lines ALTER COLUMN tax_rate SET NOT NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE invoice_lines DROP COLUMN tax_rate`);
    await q.query(`DROP TRIGGER subscription_charges_tax_rate ON subscription_charges`);
    await q.query(`DROP TRIGGER subscription_terms_tax_rate ON subscription_terms`);
    await q.query(`DROP TRIGGER order_lines_tax_rate ON order_lines`);
    await q.query(`DROP FUNCTION subscription_charges_default_tax_rate, subscription_terms_default_tax_rate, order_lines_default_tax_rate`);
    await q.query(`ALTER TABLE subscription_charges DROP COLUMN tax_rate`);
    await q.query(`ALTER TABLE subscription_terms DROP COLUMN tax_rate`);
    await q.query(`ALTER TABLE order_lines DROP COLUMN tax_rate`);
    await q.query(`DROP TABLE credit_refund_parts, credit_refunds, credit_applications`);
    await q.query(`ALTER TABLE ar_movements DROP CONSTRAINT ar_movements_kind_check`);
    await q.query(
      `ALTER TABLE ar_movements ADD CONSTRAINT ar_movements_kind_check CHECK (kind IN ('INVOICE','PAYMENT','CREDIT_NOTE','REFUND'))`,
    );
    await q.query(`DROP INDEX invoices_credit_idx`);
    await q.query(`ALTER TABLE invoices DROP CONSTRAINT invoices_hardware_settled_check, DROP CONSTRAINT invoices_cloud_settled_check`);
    const open = (l: string) => `(${l}_gross - ${l}_paid - ${l}_credited)`;
    await q.query(`ALTER TABLE invoices ALTER COLUMN hardware_open SET EXPRESSION AS ${open('hardware')}`);
    await q.query(`ALTER TABLE invoices ALTER COLUMN cloud_open SET EXPRESSION AS ${open('cloud')}`);
    await q.query(`ALTER TABLE invoices ALTER COLUMN status SET EXPRESSION AS (
      CASE
        WHEN creditable_net > 0 AND credited_net = creditable_net THEN 'CREDITED'
        WHEN greatest(${open('hardware')}, 0) + greatest(${open('cloud')}, 0) = 0 THEN 'PAID'
        WHEN hardware_paid + cloud_paid > 0 THEN 'PARTIALLY_PAID'
        ELSE 'ISSUED'
      END)`);
    for (const l of ['hardware', 'cloud']) {
      await q.query(`ALTER TABLE invoices ADD CONSTRAINT invoices_${l}_settled_check CHECK (${l}_paid >= 0 AND ${l}_credited >= 0
        AND (${l}_gross >= 0 OR (${l}_paid = 0 AND ${l}_credited = 0)) AND (${l}_gross < 0 OR ${open(l)} >= 0))`);
    }
    await q.query(`ALTER TABLE invoices DROP COLUMN hardware_offset, DROP COLUMN cloud_offset`);
  }
}
