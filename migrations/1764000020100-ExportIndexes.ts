import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the CSV exports (docs/accounting.md §8), which read a period in keyset order one
 * batch at a time: journal lines by (date, entry, line), invoices and credit notes by issue date,
 * payments by the day received.
 */
export class ExportIndexes1764000020100 implements MigrationInterface {
  name = 'ExportIndexes1764000020100';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX journal_lines_export_idx ON journal_lines (entry_date, entry_id, line_no)`);
    await q.query(`CREATE INDEX invoices_export_idx ON invoices (issue_date, id) WHERE number IS NOT NULL`);
    await q.query(`CREATE INDEX credit_notes_export_idx ON credit_notes (issue_date, id)`);
    await q.query(`CREATE INDEX payments_export_idx ON payments (received_on, id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX payments_export_idx, credit_notes_export_idx, invoices_export_idx, journal_lines_export_idx`);
  }
}
