import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cloud subscriptions, their terms and their billing schedule (charges).
 *
 * - `subscriptions` carries the current term denormalised (term_no, term_start, term_end,
 *   unit_price) so the renewal job finds due subscriptions with one indexed range scan.
 * - `subscription_terms`: one row per term; UNIQUE (subscription_id, term_no) makes a renewal
 *   impossible to create twice, whatever runs concurrently.
 * - `subscription_changes`: the audit trail of seat changes and cancellations; proration charges
 *   hang off a change, so a change's charges can never be created twice either.
 * - `subscription_charges`: what invoicing consumes. A scheduled TERM charge is unique per
 *   (term, period start); a PRORATION per (change, period start); a CANCELLATION_CREDIT per
 *   (subscription, period start). `billed_invoice_id` is set once (a conditional update); a
 *   voided charge (a future period of an immediately cancelled subscription) is never billed.
 *
 * order_line_id is a plain uuid (no FK to order_lines): subscriptions do not depend on ordering.
 */
export class Subscriptions1764000005000 implements MigrationInterface {
  name = 'Subscriptions1764000005000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reseller_id uuid NOT NULL,
        order_line_id uuid NOT NULL,
        sku text NOT NULL,
        currency char(3) NOT NULL,
        term text NOT NULL,
        billing_frequency text NOT NULL,
        anchor_date date NOT NULL,
        quantity integer NOT NULL,
        status text NOT NULL DEFAULT 'ACTIVE',
        auto_renew boolean NOT NULL DEFAULT true,
        cancel_at_term_end boolean NOT NULL DEFAULT false,
        cancelled_on date,
        term_no integer NOT NULL,
        term_start date NOT NULL,
        term_end date NOT NULL,
        unit_price numeric(20,4) NOT NULL,
        end_customer_name text NOT NULL,
        end_customer_reference text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT subscriptions_order_line_key UNIQUE (order_line_id),
        CONSTRAINT subscriptions_status_check CHECK (status IN ('ACTIVE','CANCELLED','EXPIRED')),
        CONSTRAINT subscriptions_term_check CHECK (term IN ('P1M','P1Y','P3Y')),
        CONSTRAINT subscriptions_billing_frequency_check CHECK (billing_frequency IN ('MONTHLY','ANNUAL','UPFRONT')),
        CONSTRAINT subscriptions_quantity_check CHECK (quantity > 0),
        CONSTRAINT subscriptions_unit_price_check CHECK (unit_price >= 0),
        CONSTRAINT subscriptions_term_dates_check CHECK (term_end >= term_start AND term_start >= anchor_date),
        CONSTRAINT subscriptions_currency_check CHECK (currency ~ '^[A-Z]{3}$')
      )`);
    await q.query(`CREATE INDEX subscriptions_reseller_id_idx ON subscriptions (reseller_id, status, term_end)`);
    // The renewal job's scan: running subscriptions by term end.
    await q.query(`CREATE INDEX subscriptions_due_idx ON subscriptions (term_end)
                   WHERE status = 'ACTIVE' OR (status = 'CANCELLED' AND cancel_at_term_end)`);
    await q.query(`CREATE INDEX subscriptions_sku_idx ON subscriptions (sku)`);

    await q.query(`
      CREATE TABLE subscription_terms (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subscription_id uuid NOT NULL REFERENCES subscriptions (id),
        reseller_id uuid NOT NULL,
        term_no integer NOT NULL,
        start_date date NOT NULL,
        end_date date NOT NULL,
        unit_price numeric(20,4) NOT NULL,
        quantity integer NOT NULL,
        currency char(3) NOT NULL,
        billing_frequency text NOT NULL,
        ended_on date,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT subscription_terms_subscription_term_no_key UNIQUE (subscription_id, term_no),
        CONSTRAINT subscription_terms_term_no_check CHECK (term_no >= 1),
        CONSTRAINT subscription_terms_dates_check CHECK (end_date >= start_date),
        CONSTRAINT subscription_terms_quantity_check CHECK (quantity > 0),
        CONSTRAINT subscription_terms_unit_price_check CHECK (unit_price >= 0)
      )`);
    await q.query(`CREATE INDEX subscription_terms_reseller_id_idx ON subscription_terms (reseller_id, end_date)`);

    await q.query(`
      CREATE TABLE subscription_changes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subscription_id uuid NOT NULL REFERENCES subscriptions (id),
        term_id uuid NOT NULL REFERENCES subscription_terms (id),
        reseller_id uuid NOT NULL,
        kind text NOT NULL,
        effective_date date NOT NULL,
        old_quantity integer,
        new_quantity integer,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT subscription_changes_kind_check CHECK (kind IN ('QUANTITY','CANCEL_IMMEDIATE','CANCEL_END_OF_TERM','AUTO_RENEW'))
      )`);
    await q.query(`CREATE INDEX subscription_changes_subscription_idx ON subscription_changes (subscription_id, effective_date)`);
    await q.query(`CREATE INDEX subscription_changes_reseller_id_idx ON subscription_changes (reseller_id)`);

    await q.query(`
      CREATE TABLE subscription_charges (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reseller_id uuid NOT NULL,
        subscription_id uuid NOT NULL REFERENCES subscriptions (id),
        term_id uuid NOT NULL REFERENCES subscription_terms (id),
        change_id uuid REFERENCES subscription_changes (id),
        kind text NOT NULL,
        sku text NOT NULL,
        billing_date date NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL,
        quantity integer NOT NULL,
        unit_price numeric(20,4) NOT NULL,
        amount numeric(20,4) NOT NULL,
        currency char(3) NOT NULL,
        credit_line text NOT NULL DEFAULT 'CLOUD',
        description text NOT NULL,
        billed_invoice_id uuid,
        billed_at timestamptz,
        voided_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT subscription_charges_kind_check CHECK (kind IN ('TERM','PRORATION','CANCELLATION_CREDIT')),
        CONSTRAINT subscription_charges_credit_line_check CHECK (credit_line = 'CLOUD'),
        CONSTRAINT subscription_charges_period_check CHECK (period_end >= period_start AND billing_date = period_start),
        CONSTRAINT subscription_charges_term_amount_check CHECK (kind <> 'TERM' OR amount >= 0),
        CONSTRAINT subscription_charges_credit_amount_check CHECK (kind <> 'CANCELLATION_CREDIT' OR amount <= 0),
        CONSTRAINT subscription_charges_proration_change_check CHECK ((kind = 'PRORATION') = (change_id IS NOT NULL)),
        CONSTRAINT subscription_charges_billed_check CHECK ((billed_invoice_id IS NULL) = (billed_at IS NULL)),
        CONSTRAINT subscription_charges_void_check CHECK (voided_at IS NULL OR billed_invoice_id IS NULL)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX subscription_charges_term_period_key ON subscription_charges (term_id, period_start) WHERE kind = 'TERM'`,
    );
    await q.query(
      `CREATE UNIQUE INDEX subscription_charges_change_period_key ON subscription_charges (change_id, period_start) WHERE kind = 'PRORATION'`,
    );
    await q.query(
      `CREATE UNIQUE INDEX subscription_charges_cancel_period_key ON subscription_charges (subscription_id, period_start) WHERE kind = 'CANCELLATION_CREDIT'`,
    );
    await q.query(
      `CREATE INDEX subscription_charges_unbilled_idx ON subscription_charges (reseller_id, billing_date) WHERE billed_invoice_id IS NULL AND voided_at IS NULL`,
    );
    await q.query(`CREATE INDEX subscription_charges_reseller_id_idx ON subscription_charges (reseller_id)`);
    await q.query(`CREATE INDEX subscription_charges_subscription_idx ON subscription_charges (subscription_id, period_start)`);
    await q.query(
      `CREATE INDEX subscription_charges_invoice_idx ON subscription_charges (billed_invoice_id) WHERE billed_invoice_id IS NOT NULL`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE subscription_charges`);
    await q.query(`DROP TABLE subscription_changes`);
    await q.query(`DROP TABLE subscription_terms`);
    await q.query(`DROP TABLE subscriptions`);
  }
}
