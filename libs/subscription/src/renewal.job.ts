import { Injectable, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Clock, DAY_MS, ScheduledJobs } from '#disty/core';
import { RenewalService } from './renewal.service';

/**
 * The daily renewal run on RENEWALS_CRON, on the job queue (docs/operations.md §4; a day missed
 * while no instance was up is caught up once at start-up, and one run renews everything due).
 * RenewalService claims subscriptions with SKIP LOCKED and unique terms, so each term is created once.
 */
@Injectable()
export class RenewalJob implements OnModuleInit {
  constructor(
    private readonly config: ConfigService,
    private readonly jobs: ScheduledJobs,
    private readonly renewals: RenewalService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: 'subscription-renewals',
      cron: this.config.get<string>('RENEWALS_CRON') ?? '0 15 1 * * *',
      catchUpMs: DAY_MS,
      run: () => this.tick(),
    });
  }

  async tick(): Promise<Record<string, unknown>> {
    return { ...(await this.renewals.run(this.clock.today())) };
  }
}
