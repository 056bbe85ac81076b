import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The set-based usage import (docs/consumption.md, "How an import runs" and "Performance"):
 * - `usage_imports` shows its progress as bytes received and its phase (staging, checking,
 *   matching, rating, posting) besides the lines read;
 * - `usage_records` keeps only the indexes a query needs: the current version per vendor record
 *   (idempotency, reconciliation by vendor) and (subscription, usage date), which rating, budgets,
 *   postings and billing reach through the subscriptions of a reseller. The reseller index and the
 *   partial rating index go: every index is paid for by each of a million inserted rows.
 */
export class UsageImportPipeline1764000500000 implements MigrationInterface {
  name = 'UsageImportPipeline1764000500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE usage_imports ADD COLUMN bytes_read bigint NOT NULL DEFAULT 0, ADD COLUMN phase text`);
    await q.query(`ALTER TABLE usage_imports ADD CONSTRAINT ck_usage_imports_phase
                   CHECK (phase IS NULL OR phase IN ('staging','checking','matching','rating','posting'))`);
    await q.query(`DROP INDEX ix_usage_records_reseller`);
    await q.query(`DROP INDEX ix_usage_records_rating`);
    await q.query(`CREATE INDEX ix_usage_records_subscription ON usage_records (subscription_id, usage_date)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_usage_records_subscription`);
    await q.query(
      `CREATE INDEX ix_usage_records_rating ON usage_records (subscription_id, meter_id, usage_date) WHERE superseded_at IS NULL`,
    );
    await q.query(`CREATE INDEX ix_usage_records_reseller ON usage_records (reseller_id, usage_date)`);
    await q.query(`ALTER TABLE usage_imports DROP CONSTRAINT ck_usage_imports_phase`);
    await q.query(`ALTER TABLE usage_imports DROP COLUMN bytes_read, DROP COLUMN phase`);
  }
}
