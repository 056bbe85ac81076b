import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Renewal quotes (docs/api-conventions.md, "The renewal desk"): a quote made from a renewal alert,
 * priced from the catalog's current price, numbered Q-YYYY-nnnnnn without gaps per reseller and
 * year (renewal_quote_sequences, incremented in the quote's transaction), accepted at most once.
 * EXPIRED is not stored: an OPEN quote past valid_until reads as EXPIRED. scheduled_change_id is
 * the subscription's scheduled change created by accepting a subscription renewal's quote.
 */
export class RenewalQuotes1764000034000 implements MigrationInterface {
  name = 'RenewalQuotes1764000034000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE renewal_quote_sequences (
        reseller_id uuid NOT NULL,
        year integer NOT NULL,
        last_no integer NOT NULL,
        CONSTRAINT renewal_quote_sequences_pkey PRIMARY KEY (reseller_id, year),
        CONSTRAINT renewal_quote_sequences_last_no_check CHECK (last_no > 0)
      )`);
    await q.query(`
      CREATE TABLE renewal_quotes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        number text NOT NULL,
        reseller_id uuid NOT NULL,
        alert_id uuid NOT NULL,
        source text NOT NULL,
        subscription_id uuid,
        order_line_id uuid,
        term_end date NOT NULL,
        end_customer_name text NOT NULL,
        end_customer_reference text,
        currency char(3) NOT NULL,
        lines jsonb NOT NULL,
        total numeric(20,4) NOT NULL,
        issue_date date NOT NULL,
        valid_until date NOT NULL,
        status text NOT NULL DEFAULT 'OPEN',
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        accepted_at timestamptz,
        accepted_by uuid,
        scheduled_change_id uuid,
        CONSTRAINT renewal_quotes_number_key UNIQUE (reseller_id, number),
        CONSTRAINT renewal_quotes_alert_fkey FOREIGN KEY (alert_id) REFERENCES renewal_alerts (id),
        CONSTRAINT renewal_quotes_status_check CHECK (status IN ('OPEN','ACCEPTED')),
        CONSTRAINT renewal_quotes_accepted_check CHECK ((status = 'ACCEPTED') = (accepted_at IS NOT NULL AND accepted_by IS NOT NULL)),
        CONSTRAINT renewal_quotes_total_check CHECK (total >= 0),
        CONSTRAINT renewal_quotes_valid_until_check CHECK (valid_until >= issue_date),
        CONSTRAINT renewal_quotes_lines_check CHECK (jsonb_typeof(lines) = 'array' AND jsonb_array_length(lines) > 0),
        CONSTRAINT renewal_quotes_currency_check CHECK (currency ~ '^[A-Z]{3}$')
      )`);
    await q.query(`CREATE INDEX renewal_quotes_reseller_id_idx ON renewal_quotes (reseller_id, created_at)`);
    await q.query(`CREATE INDEX renewal_quotes_alert_id_idx ON renewal_quotes (alert_id)`);
    await q.query(`CREATE INDEX renewal_alerts_end_customer_idx ON renewal_alerts (reseller_id, lower(end_customer_name))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX renewal_alerts_end_customer_idx`);
    await q.query(`DROP TABLE renewal_quotes, renewal_quote_sequences`);
  }
}
