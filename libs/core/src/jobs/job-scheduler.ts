import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { parseCronItems, run, Runner, TaskList } from 'graphile-worker';
import { hostname } from 'os';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { environment } from '../config/environment';
import { preparedStatementsEnabled } from '../database/prepared-statement';
import { observeJob } from '../metrics/metrics';
import { quietGraphileLogger } from './graphile-logger';
import { JOB_QUEUE_SCHEMA } from './job-queue-schema';
import { JobOccurrence, minuteCron, ScheduledJob, ScheduledJobs } from './scheduled-jobs';

/** Jobs one instance runs at once, and the queue's own connections beyond them (docs/operations.md §10). */
export const JOB_CONCURRENCY = 2;
const QUEUE_POOL_SIZE = JOB_CONCURRENCY + 2;

/**
 * Runs the registered scheduled jobs on graphile-worker (docs/operations.md §4): its crontab state
 * lives in PostgreSQL, so an occurrence no instance was up for is caught up once when one starts
 * (within the job's catchUpMs), and with several instances each occurrence is enqueued once (the
 * crontab row is claimed by one of them) and run by one worker. Each run is recorded in job_runs,
 * whose (job, scheduled_for) key refuses a second run of an occurrence that succeeded.
 */
@Injectable()
export class JobScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('JobScheduler');
  private readonly instance = `${hostname()}:${process.pid}`;
  private runner?: Runner;
  private pool?: Pool;

  constructor(
    private readonly config: ConfigService,
    private readonly jobs: ScheduledJobs,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const enabled = this.config.get<boolean>('JOBS_ENABLED');
    if (enabled === false || String(enabled) === 'false') return;
    await this.start();
  }

  /** Starts the queue's workers and cron for this instance (JOBS_ENABLED does it at start-up). */
  async start(opts: { pollIntervalMs?: number } = {}): Promise<void> {
    if (this.runner) return;
    const url = this.config.get<string>('DATABASE_URL') ?? environment().DATABASE_URL;
    this.pool = new Pool({ connectionString: url, max: QUEUE_POOL_SIZE, application_name: 'disty-jobs' });
    const warn = (err: Error) => this.logger.warn(`job queue connection error: ${err.message}`);
    this.pool.on('error', warn);
    this.pool.on('connect', (client) => client.on('error', warn));
    const jobs = this.jobs.all();
    const taskList: TaskList = Object.fromEntries(jobs.map((j) => [j.name, (payload: unknown) => this.execute(j, payload)]));
    const pool = this.pool;
    this.runner = await run({
      pgPool: this.pool,
      schema: JOB_QUEUE_SCHEMA,
      concurrency: JOB_CONCURRENCY,
      noHandleSignals: true,
      pollInterval: opts.pollIntervalMs ?? 2000,
      noPreparedStatements: !preparedStatementsEnabled(),
      logger: quietGraphileLogger(),
      taskList,
      parsedCronItems: parseCronItems(
        jobs.map((j) => ({
          task: j.name,
          identifier: j.name,
          match: minuteCron(j.cron),
          options: { backfillPeriod: j.catchUpMs, maxAttempts: j.maxAttempts ?? 5, queueName: j.queue },
        })),
      ),
    }).catch(async (e: unknown) => {
      this.pool = undefined;
      await pool.end().catch(() => undefined);
      throw e;
    });
    this.logger.log(`scheduled jobs running: ${jobs.map((j) => j.name).join(', ')}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const runner = this.runner;
    this.runner = undefined;
    await runner?.stop().catch((err: unknown) => this.logger.warn(`job queue stop: ${String(err)}`));
    await this.pool?.end().catch(() => undefined);
    this.pool = undefined;
  }

  /** One attempt at one occurrence of `job`, recorded in job_runs; throws so the queue retries. */
  private async execute(job: ScheduledJob, payload: unknown): Promise<void> {
    const cron = (payload as { _cron?: { ts: string; backfilled?: boolean } } | null)?._cron;
    const occurrence: JobOccurrence = {
      scheduledFor: cron ? new Date(cron.ts) : new Date(),
      backfilled: cron?.backfilled ?? false,
    };
    // Claim the occurrence: a new row, or a retry of one not yet succeeded (the queue gives a job to
    // one worker at a time, so a RUNNING row here is a dead attempt's).
    const claimed: Array<{ id: string }> = await this.db.query(
      `INSERT INTO job_runs (job, scheduled_for, backfilled, instance, status)
       VALUES ($1, $2, $3, $4, 'RUNNING')
       ON CONFLICT (job, scheduled_for) DO UPDATE
          SET attempts = job_runs.attempts + 1, status = 'RUNNING', instance = EXCLUDED.instance,
              started_at = now(), finished_at = NULL, error = NULL
        WHERE job_runs.status NOT IN ('SUCCEEDED', 'SKIPPED')
       RETURNING id`,
      [job.name, occurrence.scheduledFor, occurrence.backfilled, this.instance],
    );
    if (!claimed.length) return; // this occurrence already ran to its end
    const id = claimed[0].id;
    try {
      const summary = await observeJob(job.name, () => job.run(occurrence));
      await this.db.query(`UPDATE job_runs SET status = $2, finished_at = now(), summary = $3 WHERE id = $1`, [
        id,
        summary === null ? 'SKIPPED' : 'SUCCEEDED',
        summary === null ? null : JSON.stringify(summary),
      ]);
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      await this.db
        .query(`UPDATE job_runs SET status = 'FAILED', finished_at = now(), error = $2 WHERE id = $1`, [id, message.slice(0, 2000)])
        .catch(() => undefined);
      this.logger.error({ err: e }, `scheduled job ${job.name} (${occurrence.scheduledFor.toISOString()}) failed`);
      throw e;
    }
  }
}
