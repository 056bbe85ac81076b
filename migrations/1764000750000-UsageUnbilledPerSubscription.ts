import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `usage_unbilled` (the usage module's read contract for credit exposure, docs/consumption.md §7
 * and §10) reads each subscription's records through the `(subscription_id, usage_date)` index,
 * one subscription at a time (`LATERAL … OFFSET 0`), whatever the planner believes of a table that
 * a large import has just filled: with the statistics of the table before the import, it had
 * joined every usage record to every subscription of the reseller (38 million comparisons, 7 s, for
 * one reseller after a 200,000-line import). An evaluation reads only its resellers' records.
 */
export class UsageUnbilledPerSubscription1764000750000 implements MigrationInterface {
  name = 'UsageUnbilledPerSubscription1764000750000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE VIEW usage_unbilled AS
      SELECT s.reseller_id, r.currency, sum(r.net) AS net
        FROM consumption_subscriptions s
       CROSS JOIN LATERAL (
             SELECT r.currency, CASE WHEN r.superseded_at IS NULL THEN r.rated_net ELSE 0 END - r.billed_net AS net
               FROM usage_records r WHERE r.subscription_id = s.id OFFSET 0) r
       GROUP BY s.reseller_id, r.currency`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE VIEW usage_unbilled AS
      SELECT s.reseller_id, r.currency,
             sum(CASE WHEN r.superseded_at IS NULL THEN r.rated_net ELSE 0 END - r.billed_net) AS net
        FROM consumption_subscriptions s JOIN usage_records r ON r.subscription_id = s.id
       GROUP BY s.reseller_id, r.currency`);
  }
}
