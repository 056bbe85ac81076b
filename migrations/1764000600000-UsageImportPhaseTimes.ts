import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What each step of a usage import took (docs/consumption.md §10, "Performance"): `phase_ms`, the
 * milliseconds per step (staging, checks, matching, rating, posting…) written when the import
 * completes, so a slow import can be read step by step without a profiler.
 */
export class UsageImportPhaseTimes1764000600000 implements MigrationInterface {
  name = 'UsageImportPhaseTimes1764000600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE usage_imports ADD COLUMN phase_ms jsonb`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE usage_imports DROP COLUMN phase_ms`);
  }
}
