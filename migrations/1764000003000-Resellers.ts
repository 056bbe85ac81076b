import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Resellers and their two credit lines. A line's `reserved` is the sum of what its open
 * reservations still hold (ordered, not yet invoiced, tax included); both change together in the
 * reserving transaction, under the line's row lock. Receivables are not stored here: they are the
 * ledger's AR balances.
 */
export class Resellers1764000003000 implements MigrationInterface {
  name = 'Resellers1764000003000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE resellers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        currency char(3) NOT NULL,
        country char(2) NOT NULL,
        tax_rate numeric(9,6) NOT NULL,
        payment_terms_days integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT resellers_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT resellers_country_check CHECK (country ~ '^[A-Z]{2}$'),
        CONSTRAINT resellers_tax_rate_check CHECK (tax_rate >= 0 AND tax_rate < 1),
        CONSTRAINT resellers_payment_terms_check CHECK (payment_terms_days BETWEEN 0 AND 365)
      )`);
    await q.query(`CREATE INDEX resellers_name_idx ON resellers (lower(name))`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_reseller_id_fkey FOREIGN KEY (reseller_id) REFERENCES resellers (id)`);

    await q.query(`
      CREATE TABLE credit_lines (
        reseller_id uuid NOT NULL,
        line text NOT NULL,
        currency char(3) NOT NULL,
        credit_limit numeric(20,4) NOT NULL,
        reserved numeric(20,4) NOT NULL DEFAULT 0,
        on_hold boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT credit_lines_pkey PRIMARY KEY (reseller_id, line),
        CONSTRAINT credit_lines_reseller_id_fkey FOREIGN KEY (reseller_id) REFERENCES resellers (id),
        CONSTRAINT credit_lines_line_check CHECK (line IN ('HARDWARE','CLOUD')),
        CONSTRAINT credit_lines_limit_check CHECK (credit_limit >= 0),
        CONSTRAINT credit_lines_reserved_check CHECK (reserved >= 0)
      )`);

    await q.query(`
      CREATE TABLE credit_reservations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reseller_id uuid NOT NULL,
        line text NOT NULL,
        source_type text NOT NULL,
        source_id text NOT NULL,
        amount numeric(20,4) NOT NULL,
        remaining numeric(20,4) NOT NULL,
        status text NOT NULL DEFAULT 'OPEN',
        created_at timestamptz NOT NULL DEFAULT now(),
        settled_at timestamptz,
        CONSTRAINT credit_reservations_source_line_key UNIQUE (source_type, source_id, line),
        CONSTRAINT credit_reservations_line_fkey FOREIGN KEY (reseller_id, line) REFERENCES credit_lines (reseller_id, line),
        CONSTRAINT credit_reservations_amount_check CHECK (amount >= 0),
        CONSTRAINT credit_reservations_remaining_check CHECK (remaining >= 0 AND remaining <= amount),
        CONSTRAINT credit_reservations_status_check CHECK (status IN ('OPEN','RELEASED','CONSUMED')),
        CONSTRAINT credit_reservations_settled_check CHECK ((status = 'OPEN') = (settled_at IS NULL)),
        CONSTRAINT credit_reservations_open_remaining_check CHECK (status = 'OPEN' OR remaining = 0)
      )`);
    await q.query(`CREATE INDEX credit_reservations_reseller_idx ON credit_reservations (reseller_id, line, status)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE credit_reservations`);
    await q.query(`DROP TABLE credit_lines`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_reseller_id_fkey`);
    await q.query(`DROP TABLE resellers`);
  }
}
