import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The history of scheduled job runs (docs/operations.md §4): one row per job and scheduled
 * occurrence (the cron time it stands for, a caught-up one included), whatever instance ran it and
 * however many attempts it took. The unique key is the last guard of "exactly once": an occurrence
 * that succeeded is never run again. The queue itself (graphile-worker's schema) is installed by
 * the migration step after these (libs/core/src/jobs/job-queue-schema.ts).
 */
export class JobRuns1764000060000 implements MigrationInterface {
  name = 'JobRuns1764000060000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE job_runs (
        id uuid PRIMARY KEY DEFAULT uuidv7(),
        job text NOT NULL,
        scheduled_for timestamptz NOT NULL,
        backfilled boolean NOT NULL DEFAULT false,
        attempts int NOT NULL DEFAULT 1,
        status text NOT NULL,
        instance text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        summary jsonb,
        error text,
        CONSTRAINT job_runs_occurrence_key UNIQUE (job, scheduled_for),
        CONSTRAINT job_runs_status_check CHECK (status IN ('RUNNING','SUCCEEDED','SKIPPED','FAILED')),
        CONSTRAINT job_runs_finished_check CHECK ((status = 'RUNNING') = (finished_at IS NULL)),
        CONSTRAINT job_runs_attempts_check CHECK (attempts >= 1)
      )`);
    await q.query(`CREATE INDEX job_runs_recent_idx ON job_runs (scheduled_for DESC, id DESC)`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON job_runs TO disty_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_runs`);
  }
}
