import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Payments: bank transfers and Stripe card payments, their allocation to invoices (per credit
 * line), unapplied cash, refunds and the Stripe events already processed.
 *
 * - `payments.unapplied` is what is still unapplied (account 2200's subledger); CHECKs keep it
 *   between 0 and the amount. A Stripe payment is unique per PaymentIntent.
 * - `payment_allocations` records every application to an invoice's credit line: the payment's
 *   own allocation (PAYMENT), a later application of unapplied cash (APPLICATION) and the part
 *   of a refund taken back from an invoice (REFUND, negative). `batch_id` is the ledger source of
 *   the posting that carried it.
 * - `stripe_events` is UNIQUE on Stripe's event id, inserted in the transaction that records the
 *   event's effect: a redelivered event takes effect once.
 */
export class Payments1764000008000 implements MigrationInterface {
  name = 'Payments1764000008000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payments (
        id uuid PRIMARY KEY,
        reseller_id uuid NOT NULL,
        method text NOT NULL,
        currency char(3) NOT NULL,
        amount numeric(20,4) NOT NULL,
        fee numeric(20,4) NOT NULL DEFAULT 0,
        unapplied numeric(20,4) NOT NULL,
        refunded numeric(20,4) NOT NULL DEFAULT 0,
        reference text NOT NULL,
        received_on date NOT NULL,
        invoice_id uuid,
        stripe_payment_intent_id text,
        stripe_charge_id text,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT payments_method_check CHECK (method IN ('BANK_TRANSFER','STRIPE')),
        CONSTRAINT payments_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT payments_amount_check CHECK (amount > 0),
        CONSTRAINT payments_fee_check CHECK (fee >= 0 AND fee <= amount),
        CONSTRAINT payments_unapplied_check CHECK (unapplied >= 0 AND unapplied <= amount - refunded),
        CONSTRAINT payments_refunded_check CHECK (refunded >= 0 AND refunded <= amount),
        CONSTRAINT payments_stripe_check CHECK ((method = 'STRIPE') = (stripe_payment_intent_id IS NOT NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX payments_stripe_payment_intent_key ON payments (stripe_payment_intent_id) WHERE stripe_payment_intent_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX payments_reseller_id_idx ON payments (reseller_id, received_on)`);
    await q.query(`CREATE INDEX payments_unapplied_idx ON payments (reseller_id, currency, received_on) WHERE unapplied > 0`);

    await q.query(`
      CREATE TABLE payment_allocations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        payment_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        batch_id uuid NOT NULL,
        kind text NOT NULL,
        invoice_id uuid NOT NULL,
        credit_line text NOT NULL,
        amount numeric(20,4) NOT NULL,
        applied_on date NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT payment_allocations_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES payments (id),
        CONSTRAINT payment_allocations_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES invoices (id),
        CONSTRAINT payment_allocations_batch_key UNIQUE (batch_id, invoice_id, credit_line),
        CONSTRAINT payment_allocations_kind_check CHECK (kind IN ('PAYMENT','APPLICATION','REFUND')),
        CONSTRAINT payment_allocations_credit_line_check CHECK (credit_line IN ('HARDWARE','CLOUD')),
        CONSTRAINT payment_allocations_amount_check CHECK ((kind = 'REFUND' AND amount < 0) OR (kind <> 'REFUND' AND amount > 0))
      )`);
    await q.query(`CREATE INDEX payment_allocations_payment_id_idx ON payment_allocations (payment_id)`);
    await q.query(`CREATE INDEX payment_allocations_invoice_id_idx ON payment_allocations (invoice_id)`);
    await q.query(`CREATE INDEX payment_allocations_reseller_id_idx ON payment_allocations (reseller_id, applied_on)`);

    await q.query(`
      CREATE TABLE payment_refunds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        payment_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        amount numeric(20,4) NOT NULL,
        from_unapplied numeric(20,4) NOT NULL,
        refunded_on date NOT NULL,
        stripe_event_id text,
        stripe_charge_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT payment_refunds_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES payments (id),
        CONSTRAINT payment_refunds_amount_check CHECK (amount > 0 AND from_unapplied >= 0 AND from_unapplied <= amount)
      )`);
    await q.query(`CREATE INDEX payment_refunds_payment_id_idx ON payment_refunds (payment_id)`);
    await q.query(`CREATE INDEX payment_refunds_reseller_id_idx ON payment_refunds (reseller_id, refunded_on)`);

    await q.query(`
      CREATE TABLE stripe_payment_intents (
        id text PRIMARY KEY,
        invoice_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        amount numeric(20,4) NOT NULL,
        currency char(3) NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT stripe_payment_intents_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES invoices (id)
      )`);
    await q.query(`CREATE INDEX stripe_payment_intents_reseller_id_idx ON stripe_payment_intents (reseller_id)`);

    await q.query(`
      CREATE TABLE stripe_events (
        id text PRIMARY KEY,
        type text NOT NULL,
        reseller_id uuid,
        payment_id uuid,
        outcome text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX stripe_events_reseller_id_idx ON stripe_events (reseller_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE stripe_events, stripe_payment_intents, payment_refunds, payment_allocations, payments`);
  }
}
