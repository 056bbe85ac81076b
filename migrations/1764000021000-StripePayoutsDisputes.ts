import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stripe's side of the books after the card payment (docs/accounting.md §3):
 *
 * - `stripe_payouts`: one row per Stripe payout paid into the bank (`payout.paid`), with its fee
 *   and the date it arrived; 1050's subledger subtracts it (no reseller: a payout sweeps many).
 * - `stripe_disputes`: one row per Stripe dispute on a recorded card payment: what it took from
 *   Stripe clearing (amount and fee), how it re-opened the payment's invoices or unapplied cash,
 *   and how it closed (WON reinstates the amount, and the fee when Stripe returned it).
 * - Late events: `occurred_on` keeps the real date of a Stripe event on its document when it
 *   posts on the first day of the first open month (its month was closed).
 * - Cross-currency settlement: the charge's balance transaction (amount, fee, currency, rate) on
 *   the payment, and the realised FX difference in the invoice currency (account 7100).
 * - Refunds of a credit balance through Stripe: `credit_refunds.method`, and per part the Stripe
 *   payment refunded and Stripe's refund id.
 * - Account 7100 (FX realised) if the chart does not have it yet (type 'other' when the chart
 *   knows that type, else 'expense').
 */
export class StripePayoutsDisputes1764000021000 implements MigrationInterface {
  name = 'StripePayoutsDisputes1764000021000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE stripe_payouts (
        id text PRIMARY KEY,
        currency char(3) NOT NULL,
        amount numeric(20,4) NOT NULL,
        fee numeric(20,4) NOT NULL DEFAULT 0,
        arrival_date date NOT NULL,
        posted_on date NOT NULL,
        stripe_event_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT stripe_payouts_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT stripe_payouts_amount_check CHECK (amount > 0 AND fee >= 0),
        CONSTRAINT stripe_payouts_event_key UNIQUE (stripe_event_id)
      )`);
    await q.query(`CREATE INDEX stripe_payouts_posted_on_idx ON stripe_payouts (posted_on)`);

    await q.query(`
      CREATE TABLE stripe_disputes (
        id uuid PRIMARY KEY,
        stripe_dispute_id text NOT NULL,
        payment_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        currency char(3) NOT NULL,
        amount numeric(20,4) NOT NULL,
        fee numeric(20,4) NOT NULL DEFAULT 0,
        from_unapplied numeric(20,4) NOT NULL DEFAULT 0,
        status text NOT NULL DEFAULT 'OPEN',
        occurred_on date NOT NULL,
        posted_on date NOT NULL,
        opened_event_id text NOT NULL,
        closed_occurred_on date,
        closed_on date,
        closed_event_id text,
        fee_returned numeric(20,4) NOT NULL DEFAULT 0,
        reinstated_to_unapplied numeric(20,4) NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT stripe_disputes_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES payments (id),
        CONSTRAINT stripe_disputes_dispute_key UNIQUE (stripe_dispute_id),
        CONSTRAINT stripe_disputes_status_check CHECK (status IN ('OPEN','WON','LOST')),
        CONSTRAINT stripe_disputes_amount_check CHECK (amount > 0 AND fee >= 0 AND from_unapplied >= 0 AND from_unapplied <= amount),
        CONSTRAINT stripe_disputes_closed_check CHECK ((status = 'OPEN') = (closed_on IS NULL)),
        CONSTRAINT stripe_disputes_won_check CHECK (
          (status = 'WON' AND fee_returned <= fee AND reinstated_to_unapplied <= amount)
          OR (status <> 'WON' AND fee_returned = 0 AND reinstated_to_unapplied = 0))
      )`);
    await q.query(`CREATE INDEX stripe_disputes_payment_id_idx ON stripe_disputes (payment_id)`);
    await q.query(`CREATE INDEX stripe_disputes_reseller_id_idx ON stripe_disputes (reseller_id, posted_on)`);

    await q.query(`ALTER TABLE payments
      ADD COLUMN occurred_on date,
      ADD COLUMN settlement_currency char(3),
      ADD COLUMN settlement_amount numeric(20,4),
      ADD COLUMN settlement_fee numeric(20,4),
      ADD COLUMN exchange_rate numeric(20,10),
      ADD COLUMN fx_difference numeric(20,4) NOT NULL DEFAULT 0,
      ADD CONSTRAINT payments_settlement_check CHECK (
        (settlement_currency IS NULL AND settlement_amount IS NULL AND settlement_fee IS NULL AND exchange_rate IS NULL)
        OR (method = 'STRIPE' AND settlement_currency ~ '^[A-Z]{3}$' AND settlement_amount > 0 AND settlement_fee >= 0 AND exchange_rate > 0)),
      ADD CONSTRAINT payments_fx_difference_check CHECK (method = 'STRIPE' OR fx_difference = 0)`);
    await q.query(`ALTER TABLE payment_refunds ADD COLUMN occurred_on date`);

    await q.query(`ALTER TABLE credit_refunds
      ADD COLUMN method text NOT NULL DEFAULT 'BANK_TRANSFER',
      ADD CONSTRAINT credit_refunds_method_check CHECK (method IN ('BANK_TRANSFER','STRIPE'))`);
    await q.query(`ALTER TABLE credit_refund_parts
      ADD COLUMN stripe_payment_id uuid,
      ADD COLUMN stripe_refund_id text,
      ADD CONSTRAINT credit_refund_parts_stripe_payment_id_fkey FOREIGN KEY (stripe_payment_id) REFERENCES payments (id),
      ADD CONSTRAINT credit_refund_parts_stripe_check CHECK ((stripe_payment_id IS NULL) = (stripe_refund_id IS NULL))`);

    // 7100 may already come from the currencies migration (with type 'other'); else add it here.
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM accounts WHERE code = '7100') THEN
          BEGIN
            INSERT INTO accounts (code, name, type) VALUES ('7100', 'Foreign exchange — realised', 'other') ON CONFLICT DO NOTHING;
          EXCEPTION WHEN check_violation THEN
            INSERT INTO accounts (code, name, type) VALUES ('7100', 'Foreign exchange — realised', 'expense') ON CONFLICT DO NOTHING;
          END;
        END IF;
      END $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE credit_refund_parts DROP COLUMN stripe_payment_id, DROP COLUMN stripe_refund_id`);
    await q.query(`ALTER TABLE credit_refunds DROP COLUMN method`);
    await q.query(`ALTER TABLE payment_refunds DROP COLUMN occurred_on`);
    await q.query(`ALTER TABLE payments DROP CONSTRAINT payments_settlement_check, DROP CONSTRAINT payments_fx_difference_check,
      DROP COLUMN occurred_on, DROP COLUMN settlement_currency, DROP COLUMN settlement_amount, DROP COLUMN settlement_fee,
      DROP COLUMN exchange_rate, DROP COLUMN fx_difference`);
    await q.query(`DROP TABLE stripe_disputes, stripe_payouts`);
  }
}
