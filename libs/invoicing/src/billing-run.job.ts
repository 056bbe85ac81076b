import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { addDays, Clock, observeJob } from '@disty/core';
import { BillingRunService } from './billing-run.service';
import { CreditHoldService } from './credit-hold.service';

/** Daily, after the billing cron's usual hour. */
export const CREDIT_HOLD_CRON = '0 30 3 * * *';

/**
 * When JOBS_ENABLED: the monthly billing run (BILLING_CRON, period = the previous calendar month),
 * the daily credit-hold job, and, at start-up, the resumption of runs a dead process left RUNNING.
 * Every instance may fire them: a run is unique per period and processed under its advisory lock,
 * and the hold job is idempotent.
 */
@Injectable()
export class BillingRunJob implements OnApplicationBootstrap {
  private readonly logger = new Logger('BillingRunJob');

  constructor(
    private readonly config: ConfigService,
    private readonly registry: SchedulerRegistry,
    private readonly runs: BillingRunService,
    private readonly holds: CreditHoldService,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const enabled = this.config.get<boolean>('JOBS_ENABLED');
    if (enabled === false || String(enabled) === 'false') return;
    const billing = CronJob.from({
      cronTime: this.config.get<string>('BILLING_CRON') ?? '0 0 3 1 * *',
      timeZone: 'UTC',
      onTick: () => void this.monthlyRun(),
    });
    const holds = CronJob.from({ cronTime: CREDIT_HOLD_CRON, timeZone: 'UTC', onTick: () => void this.dailyHolds() });
    this.registry.addCronJob('billing-run', billing);
    this.registry.addCronJob('credit-holds', holds);
    billing.start();
    holds.start();
    void this.runs.resumeInterrupted().catch((e: unknown) => this.logger.error({ err: e }, 'could not resume billing runs'));
  }

  /** Bills the previous calendar month. */
  async monthlyRun(): Promise<void> {
    try {
      const today = this.clock.today();
      const periodEnd = addDays(`${today.slice(0, 7)}-01`, -1);
      await observeJob('billing-run', async () => {
        const { run } = await this.runs.start(periodEnd, null);
        if (run.status !== 'COMPLETED') this.runs.startInBackground(run.id);
        return run;
      });
    } catch (e) {
      this.logger.error({ err: e }, 'monthly billing run failed to start');
    }
  }

  async dailyHolds(): Promise<void> {
    try {
      await observeJob('credit-holds', () => this.holds.run(this.clock.today()));
    } catch (e) {
      this.logger.error({ err: e }, 'credit-hold job failed');
    }
  }
}
