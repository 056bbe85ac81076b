import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { addDays, Clock, DAY_MS, ScheduledJobs } from '#disty/core';
import { BillingRunService } from './billing-run.service';
import { CreditHoldService } from './credit-hold.service';

/** Daily, after the billing cron's usual hour. */
export const CREDIT_HOLD_CRON = '0 30 3 * * *';

/** The period a billing occurrence bills: the calendar month before the one it falls in. */
export function billingPeriodEnd(scheduledFor: Date): string {
  return addDays(`${scheduledFor.toISOString().slice(0, 7)}-01`, -1);
}

/**
 * The monthly billing run (BILLING_CRON, period = the calendar month before the occurrence) and the
 * daily credit-hold job, on the job queue (docs/operations.md §4): a billing occurrence missed while
 * no instance was up is caught up once within 35 days, in the `billing` queue so periods bill in
 * order. At start-up (JOBS_ENABLED), runs a dead process left RUNNING are resumed. A run is unique
 * per period and processed under its advisory lock, and the hold job is idempotent.
 */
@Injectable()
export class BillingRunJob implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('BillingRunJob');

  constructor(
    private readonly config: ConfigService,
    private readonly jobs: ScheduledJobs,
    private readonly runs: BillingRunService,
    private readonly holds: CreditHoldService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: 'billing-run',
      cron: this.config.get<string>('BILLING_CRON') ?? '0 0 3 1 * *',
      catchUpMs: 35 * DAY_MS,
      queue: 'billing',
      maxAttempts: 10,
      run: ({ scheduledFor }) => this.monthlyRun(billingPeriodEnd(scheduledFor)),
    });
    this.jobs.register({
      name: 'credit-holds',
      cron: CREDIT_HOLD_CRON,
      catchUpMs: DAY_MS,
      run: async () => {
        const r = await this.holds.run(this.clock.today());
        return { asOf: r.asOf, placed: r.placed.length, released: r.released.length };
      },
    });
  }

  onApplicationBootstrap(): void {
    const enabled = this.config.get<boolean>('JOBS_ENABLED');
    if (enabled === false || String(enabled) === 'false') return;
    void this.runs.resumeInterrupted().catch((e: unknown) => this.logger.error({ err: e }, 'could not resume billing runs'));
  }

  /**
   * Bills `periodEnd` to the end: starts (or finds) its run and processes it. Null when another
   * live worker holds the run (it finishes it).
   */
  async monthlyRun(periodEnd: string): Promise<Record<string, unknown> | null> {
    const { run } = await this.runs.start(periodEnd, null);
    const done = run.status === 'COMPLETED' ? run : await this.runs.process(run.id);
    if (!done) return null;
    // Some reseller failed: the queue retries the occurrence, which resumes the run (those resellers only).
    if (done.status === 'FAILED') throw new Error(`billing run ${done.id} (${done.periodEnd}): ${done.resellersFailed} reseller(s) failed`);
    // Stopped by a shutdown: the run stays RUNNING and is resumed (by the retry, or at the next start).
    if (done.status === 'RUNNING') throw new Error(`billing run ${done.id} (${done.periodEnd}) interrupted by a shutdown`);
    return {
      runId: done.id,
      periodEnd: done.periodEnd,
      status: done.status,
      invoicesIssued: done.invoicesIssued,
    };
  }
}
