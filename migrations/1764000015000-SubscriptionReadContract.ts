import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The subscription module's published read contract (docs/architecture.md §3), now defined by the
 * module that owns subscriptions and subscription_terms. The views were first created by
 * 1764000006000-RenewalAlerts; this restates them unchanged (CREATE OR REPLACE keeps their grants),
 * so their definition lives with their owner and any later change to them is made here, in a new
 * subscription migration.
 * - renewal_subscription_terms: the current term of each ACTIVE subscription and of each one
 *   CANCELLED at term end. term_id is a scalar subquery rather than a join, so reading the view
 *   without it costs no term lookups.
 * - renewal_subscription_term_ids: every term's id by (subscription, term end).
 */
export class SubscriptionReadContract1764000015000 implements MigrationInterface {
  name = 'SubscriptionReadContract1764000015000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE VIEW renewal_subscription_terms AS
      SELECT (SELECT t.id FROM subscription_terms t WHERE t.subscription_id = s.id AND t.term_no = s.term_no) AS term_id,
             s.id AS subscription_id, s.reseller_id, s.sku, s.quantity, s.currency, s.term_end,
             s.end_customer_name, s.end_customer_reference, s.status, s.cancel_at_term_end, s.billing_frequency, s.term,
             s.unit_price
        FROM subscriptions s
       WHERE s.status = 'ACTIVE' OR (s.status = 'CANCELLED' AND s.cancel_at_term_end)`);
    await q.query(`
      CREATE OR REPLACE VIEW renewal_subscription_term_ids AS
      SELECT t.id AS term_id, t.subscription_id, t.reseller_id, t.end_date AS term_end FROM subscription_terms t`);
  }

  public async down(): Promise<void> {
    // The definitions are unchanged from 1764000006000, whose down drops the views.
  }
}
