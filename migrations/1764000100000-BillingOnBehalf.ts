import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Billing a reseller's end customers on its behalf (docs/billing-on-behalf.md):
 * - `reseller_billing_profiles`: per reseller its opt-ins (end-customer billing, automatic issue,
 *   collection on behalf), its branding, its own numbering (`last_number`, gapless) and the
 *   billing-services fee the distributor charges on settlement;
 * - `price_rules`: the reseller's sell prices, effective-dated: a markup % or (per SKU) a fixed
 *   unit price, for all end customers or one, per product kind, vendor or SKU;
 * - `end_customer_invoices` and their lines: the reseller's invoices to its end customers, drafted
 *   from the lines of its distributor invoice (unique per distributor invoice and end customer);
 * - `collections`: cash the distributor collected for an end-customer invoice (card or bank),
 *   held on 2500 until a `settlements` row takes it;
 * - payments may be of method SETTLEMENT: the part of a settlement netted against the reseller's
 *   open invoices.
 */
export class BillingOnBehalf1764000100000 implements MigrationInterface {
  name = 'BillingOnBehalf1764000100000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reseller_billing_profiles (
        reseller_id uuid NOT NULL,
        end_customer_billing boolean NOT NULL DEFAULT false,
        auto_issue boolean NOT NULL DEFAULT false,
        collection_on_behalf boolean NOT NULL DEFAULT false,
        fee_percent numeric(9,4) NOT NULL DEFAULT 0,
        legal_name text,
        address text,
        tax_id text,
        logo_url text,
        payment_instructions text,
        number_prefix text NOT NULL DEFAULT 'INV',
        payment_terms_days integer NOT NULL DEFAULT 14,
        last_number integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT reseller_billing_profiles_pkey PRIMARY KEY (reseller_id),
        CONSTRAINT reseller_billing_profiles_reseller_id_fkey FOREIGN KEY (reseller_id) REFERENCES resellers (id),
        CONSTRAINT reseller_billing_profiles_fee_percent_check CHECK (fee_percent >= 0 AND fee_percent <= 100),
        CONSTRAINT reseller_billing_profiles_prefix_check CHECK (number_prefix ~ '^[A-Z0-9][A-Z0-9-]{0,15}$'),
        CONSTRAINT reseller_billing_profiles_terms_check CHECK (payment_terms_days BETWEEN 0 AND 365),
        CONSTRAINT reseller_billing_profiles_last_number_check CHECK (last_number >= 0)
      )`);

    await q.query(`
      CREATE TABLE price_rules (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        reseller_id uuid NOT NULL,
        end_customer_id uuid,
        product_kind text,
        vendor text,
        sku text,
        markup_percent numeric(9,4),
        fixed_price numeric(20,4),
        currency char(3),
        effective_from date NOT NULL,
        effective_to date,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT price_rules_pkey PRIMARY KEY (id),
        CONSTRAINT price_rules_reseller_id_fkey FOREIGN KEY (reseller_id) REFERENCES resellers (id),
        CONSTRAINT price_rules_end_customer_id_fkey FOREIGN KEY (end_customer_id) REFERENCES end_customers (id),
        CONSTRAINT price_rules_kind_check CHECK (product_kind IN ('HARDWARE','CLOUD')),
        CONSTRAINT price_rules_one_price_check CHECK ((markup_percent IS NULL) <> (fixed_price IS NULL)),
        CONSTRAINT price_rules_markup_check CHECK (markup_percent >= -100 AND markup_percent <= 10000),
        CONSTRAINT price_rules_fixed_check CHECK (fixed_price IS NULL OR (fixed_price >= 0 AND sku IS NOT NULL AND currency IS NOT NULL)),
        CONSTRAINT price_rules_dates_check CHECK (effective_to IS NULL OR effective_to > effective_from)
      )`);
    await q.query(`CREATE INDEX price_rules_reseller_id_idx ON price_rules (reseller_id, effective_from)`);

    await q.query(`
      CREATE TABLE end_customer_invoices (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        reseller_id uuid NOT NULL,
        end_customer_id uuid NOT NULL,
        source_invoice_id uuid NOT NULL,
        source_invoice_number text NOT NULL,
        number text,
        seq integer,
        status text NOT NULL DEFAULT 'DRAFT',
        currency char(3) NOT NULL,
        period_end date NOT NULL,
        issue_date date,
        due_date date,
        tax_treatment text NOT NULL,
        cost numeric(20,4) NOT NULL,
        net numeric(20,4) NOT NULL,
        tax numeric(20,4) NOT NULL,
        gross numeric(20,4) NOT NULL,
        paid numeric(20,4) NOT NULL DEFAULT 0,
        seller jsonb NOT NULL,
        buyer jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT end_customer_invoices_pkey PRIMARY KEY (id),
        CONSTRAINT end_customer_invoices_end_customer_id_fkey FOREIGN KEY (end_customer_id) REFERENCES end_customers (id),
        CONSTRAINT end_customer_invoices_source_invoice_id_fkey FOREIGN KEY (source_invoice_id) REFERENCES invoices (id),
        CONSTRAINT end_customer_invoices_source_key UNIQUE (source_invoice_id, end_customer_id),
        CONSTRAINT end_customer_invoices_seq_key UNIQUE (reseller_id, seq),
        CONSTRAINT end_customer_invoices_status_check CHECK (status IN ('DRAFT','ISSUED')),
        CONSTRAINT end_customer_invoices_numbered_check CHECK ((status = 'ISSUED') = (number IS NOT NULL AND seq IS NOT NULL AND issue_date IS NOT NULL AND due_date IS NOT NULL)),
        CONSTRAINT end_customer_invoices_treatment_check CHECK (tax_treatment IN ('DOMESTIC','EXPORT','REVERSE_CHARGE')),
        CONSTRAINT end_customer_invoices_gross_check CHECK (gross = net + tax),
        CONSTRAINT end_customer_invoices_paid_check CHECK (paid >= 0 AND (paid = 0 OR status = 'ISSUED') AND paid <= greatest(gross, 0)),
        CONSTRAINT end_customer_invoices_dates_check CHECK (due_date >= issue_date)
      )`);
    await q.query(`CREATE INDEX end_customer_invoices_reseller_id_idx ON end_customer_invoices (reseller_id, period_end)`);
    await q.query(`CREATE INDEX end_customer_invoices_end_customer_id_idx ON end_customer_invoices (end_customer_id)`);

    await q.query(`
      CREATE TABLE end_customer_invoice_lines (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        invoice_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        line_no integer NOT NULL,
        kind text NOT NULL,
        sku text NOT NULL,
        description text NOT NULL,
        quantity integer NOT NULL,
        period_start date,
        period_end date,
        cost numeric(20,4) NOT NULL,
        net numeric(20,4) NOT NULL,
        tax_rate numeric(9,6) NOT NULL,
        tax numeric(20,4) NOT NULL,
        gross numeric(20,4) NOT NULL,
        price_rule_id uuid,
        CONSTRAINT end_customer_invoice_lines_pkey PRIMARY KEY (id),
        CONSTRAINT end_customer_invoice_lines_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES end_customer_invoices (id),
        CONSTRAINT end_customer_invoice_lines_line_no_key UNIQUE (invoice_id, line_no),
        CONSTRAINT end_customer_invoice_lines_kind_check CHECK (kind IN ('HARDWARE','SEAT','USAGE')),
        CONSTRAINT end_customer_invoice_lines_gross_check CHECK (gross = net + tax)
      )`);
    await q.query(`CREATE INDEX end_customer_invoice_lines_reseller_id_idx ON end_customer_invoice_lines (reseller_id)`);

    await q.query(`
      CREATE TABLE settlements (
        id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        currency char(3) NOT NULL,
        settled_on date NOT NULL,
        fee_percent numeric(9,4) NOT NULL,
        collected numeric(20,4) NOT NULL,
        fee numeric(20,4) NOT NULL,
        netted numeric(20,4) NOT NULL,
        paid_out numeric(20,4) NOT NULL,
        payment_id uuid,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT settlements_pkey PRIMARY KEY (id),
        CONSTRAINT settlements_reseller_id_fkey FOREIGN KEY (reseller_id) REFERENCES resellers (id),
        CONSTRAINT settlements_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES payments (id),
        CONSTRAINT settlements_amounts_check CHECK (collected > 0 AND fee >= 0 AND netted >= 0 AND paid_out >= 0 AND collected = fee + netted + paid_out)
      )`);
    await q.query(`CREATE INDEX settlements_reseller_id_idx ON settlements (reseller_id, settled_on)`);

    await q.query(`
      CREATE TABLE collections (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        reseller_id uuid NOT NULL,
        end_customer_invoice_id uuid NOT NULL,
        method text NOT NULL,
        currency char(3) NOT NULL,
        amount numeric(20,4) NOT NULL,
        fee numeric(20,4) NOT NULL DEFAULT 0,
        reference text NOT NULL,
        received_on date NOT NULL,
        posted_on date NOT NULL,
        stripe_payment_intent_id text,
        settlement_id uuid,
        settled_on date,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT collections_pkey PRIMARY KEY (id),
        CONSTRAINT collections_invoice_id_fkey FOREIGN KEY (end_customer_invoice_id) REFERENCES end_customer_invoices (id),
        CONSTRAINT collections_settlement_id_fkey FOREIGN KEY (settlement_id) REFERENCES settlements (id),
        CONSTRAINT collections_method_check CHECK (method IN ('CARD','BANK_TRANSFER')),
        CONSTRAINT collections_amount_check CHECK (amount > 0 AND fee >= 0 AND fee < amount),
        CONSTRAINT collections_card_check CHECK ((method = 'CARD') = (stripe_payment_intent_id IS NOT NULL)),
        CONSTRAINT collections_settled_check CHECK ((settlement_id IS NULL) = (settled_on IS NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX collections_stripe_payment_intent_key ON collections (stripe_payment_intent_id) WHERE stripe_payment_intent_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX collections_unsettled_idx ON collections (reseller_id, currency) WHERE settlement_id IS NULL`);
    await q.query(`CREATE INDEX collections_invoice_idx ON collections (end_customer_invoice_id)`);

    await q.query(`ALTER TABLE payments DROP CONSTRAINT payments_method_check`);
    await q.query(`ALTER TABLE payments ADD CONSTRAINT payments_method_check CHECK (method IN ('BANK_TRANSFER','STRIPE','SETTLEMENT'))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payments DROP CONSTRAINT payments_method_check`);
    await q.query(`ALTER TABLE payments ADD CONSTRAINT payments_method_check CHECK (method IN ('BANK_TRANSFER','STRIPE'))`);
    await q.query(
      `DROP TABLE collections, settlements, end_customer_invoice_lines, end_customer_invoices, price_rules, reseller_billing_profiles`,
    );
  }
}
