import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The subscription module's read contract renewal_subscription_terms gains the current term's
 * start date (term_start, added at the end: CREATE OR REPLACE VIEW may only append columns, and
 * keeps the view's grants). The renewal scan uses it to raise a threshold's alert only for a term
 * longer than the threshold (docs/api-conventions.md, "Renewal alerts"). The rest of the view is as
 * 1764000015000-SubscriptionReadContract restated it.
 */
export class SubscriptionReadContractTermStart1764000035000 implements MigrationInterface {
  name = 'SubscriptionReadContractTermStart1764000035000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE VIEW renewal_subscription_terms AS
      SELECT (SELECT t.id FROM subscription_terms t WHERE t.subscription_id = s.id AND t.term_no = s.term_no) AS term_id,
             s.id AS subscription_id, s.reseller_id, s.sku, s.quantity, s.currency, s.term_end,
             s.end_customer_name, s.end_customer_reference, s.status, s.cancel_at_term_end, s.billing_frequency, s.term,
             s.unit_price, s.term_start
        FROM subscriptions s
       WHERE s.status = 'ACTIVE' OR (s.status = 'CANCELLED' AND s.cancel_at_term_end)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    // A view cannot drop a column in place: recreate it as 1764000015000 left it, keeping its grants.
    await q.query(`ALTER VIEW renewal_subscription_terms RENAME TO renewal_subscription_terms_old`);
    await q.query(`
      CREATE VIEW renewal_subscription_terms AS
      SELECT (SELECT t.id FROM subscription_terms t WHERE t.subscription_id = s.id AND t.term_no = s.term_no) AS term_id,
             s.id AS subscription_id, s.reseller_id, s.sku, s.quantity, s.currency, s.term_end,
             s.end_customer_name, s.end_customer_reference, s.status, s.cancel_at_term_end, s.billing_frequency, s.term,
             s.unit_price
        FROM subscriptions s
       WHERE s.status = 'ACTIVE' OR (s.status = 'CANCELLED' AND s.cancel_at_term_end)`);
    await q.query(`GRANT SELECT ON renewal_subscription_terms TO disty_app`);
    await q.query(`DROP VIEW renewal_subscription_terms_old`);
  }
}
