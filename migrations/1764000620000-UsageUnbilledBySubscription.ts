import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `usage_unbilled` (the usage module's read contract for credit exposure, docs/consumption.md §7)
 * reaches a reseller's usage records through its consumption subscriptions and the
 * `(subscription_id, usage_date)` index. It filtered `usage_records.reseller_id`, which has had no
 * index since 1764000500000, so each exposure evaluation (after every import, billing run, payment
 * or credit note of a reseller) read every usage record of every reseller.
 */
export class UsageUnbilledBySubscription1764000620000 implements MigrationInterface {
  name = 'UsageUnbilledBySubscription1764000620000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE VIEW usage_unbilled AS
      SELECT s.reseller_id, r.currency,
             sum(CASE WHEN r.superseded_at IS NULL THEN r.rated_net ELSE 0 END - r.billed_net) AS net
        FROM consumption_subscriptions s JOIN usage_records r ON r.subscription_id = s.id
       GROUP BY s.reseller_id, r.currency`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE VIEW usage_unbilled AS
      SELECT reseller_id, currency,
             sum(CASE WHEN superseded_at IS NULL THEN rated_net ELSE 0 END - billed_net) AS net
        FROM usage_records GROUP BY reseller_id, currency`);
  }
}
