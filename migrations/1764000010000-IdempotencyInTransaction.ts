import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys are stored in the business change's own transaction (docs/money-integrity.md,
 * "Idempotency"): a key row exists only once its request's outcome has committed, with the
 * response a replay returns. There is no IN_PROGRESS row any more.
 *
 * Rows left IN_PROGRESS by the former scheme (a process that died between its business commit and
 * storing the response) are removed: their outcome is unknown to the database, and kept they
 * would block their key; the CHECK then holds every row complete.
 */
export class IdempotencyInTransaction1764000010000 implements MigrationInterface {
  name = 'IdempotencyInTransaction1764000010000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM idempotency_keys WHERE state <> 'DONE' OR response_status IS NULL OR response_body IS NULL`);
    await q.query(`
      ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_complete_check
        CHECK (state = 'DONE' AND response_status IS NOT NULL AND response_body IS NOT NULL)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_complete_check`);
  }
}
