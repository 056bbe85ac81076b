import { Injectable } from '@nestjs/common';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** The occurrence a run stands for: its cron time, and whether it is a catch-up (backfilled) run. */
export interface JobOccurrence {
  scheduledFor: Date;
  backfilled: boolean;
}

/**
 * A job on a schedule (docs/operations.md §4). `run` answers a JSON summary kept in the job's
 * history, or null when it had nothing to do because another holder was already at it.
 */
export interface ScheduledJob {
  name: string;
  /** 5 fields, or 6 with a leading seconds field that must be 0 (the schedule has minute precision). */
  cron: string;
  /**
   * How far back a missed occurrence is caught up when an instance starts (milliseconds): the
   * latest occurrence in that window that no instance ran is run once. 0: never caught up.
   */
  catchUpMs: number;
  /** Occurrences of jobs of one queue run one at a time, in order (e.g. billing periods). */
  queue?: string;
  /** Attempts before an occurrence is left FAILED (default 5; retried with backoff). */
  maxAttempts?: number;
  run(occurrence: JobOccurrence): Promise<Record<string, unknown> | null>;
}

/** A 5- or 6-field cron expression as the job queue's 5 fields (minute precision). */
export function minuteCron(expr: string): string {
  const fields = expr.trim().split(/\s+/);
  if (fields.length === 5) return fields.join(' ');
  if (fields.length === 6 && /^0+$/.test(fields[0])) return fields.slice(1).join(' ');
  throw new Error(`cron "${expr}" must have 5 fields, or 6 with seconds 0: scheduled jobs run on the minute`);
}

/**
 * The schedule every module adds its jobs to (in onModuleInit); JobScheduler runs them when
 * JOBS_ENABLED. Names are unique: they identify the job's catch-up state and its history.
 */
@Injectable()
export class ScheduledJobs {
  private readonly jobs = new Map<string, ScheduledJob>();

  register(job: ScheduledJob): void {
    if (this.jobs.has(job.name)) throw new Error(`scheduled job ${job.name} is registered twice`);
    minuteCron(job.cron);
    this.jobs.set(job.name, job);
  }

  all(): ScheduledJob[] {
    return [...this.jobs.values()];
  }

  get(name: string): ScheduledJob | undefined {
    return this.jobs.get(name);
  }
}
