import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Closing a month reports what it still holds unexplained (docs/accounting.md §7): the findings
 * are kept with the closed period, and a close despite findings is `forced` with its reason.
 * Closing a December also records the year-end entry that moved the year's income and expense to
 * retained earnings (3000).
 */
export class PeriodCloseReport1764000026000 implements MigrationInterface {
  name = 'PeriodCloseReport1764000026000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ledger_periods
        ADD COLUMN forced boolean NOT NULL DEFAULT false,
        ADD COLUMN reason text,
        ADD COLUMN findings jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN year_end_entry_id uuid REFERENCES journal_entries (id),
        ADD CONSTRAINT ledger_periods_forced_reason_check CHECK (NOT forced OR length(btrim(coalesce(reason, ''))) > 0)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ledger_periods DROP COLUMN forced, DROP COLUMN reason, DROP COLUMN findings, DROP COLUMN year_end_entry_id`);
  }
}
