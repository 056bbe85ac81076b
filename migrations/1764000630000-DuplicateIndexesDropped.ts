import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two indexes that another index already provides (docs/performance.md §8):
 * - `order_lines_order_idx (order_id, line_no)` has the columns of the unique key
 *   `order_lines_order_line_no_key`, so every order line was inserted into two identical B-trees;
 * - `users_reseller_id_idx (reseller_id)` is the leading column of `users_tenant_email_key
 *   (reseller_id, email)`, which serves the same lookups.
 */
export class DuplicateIndexesDropped1764000630000 implements MigrationInterface {
  name = 'DuplicateIndexesDropped1764000630000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX order_lines_order_idx`);
    await q.query(`DROP INDEX users_reseller_id_idx`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX users_reseller_id_idx ON users (reseller_id)`);
    await q.query(`CREATE INDEX order_lines_order_idx ON order_lines (order_id, line_no)`);
  }
}
