import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { Clock, observeJob } from '@disty/core';
import { RenewalService } from './renewal.service';

/**
 * The daily renewal run, on RENEWALS_CRON, registered only when JOBS_ENABLED is true. Several
 * instances may fire it at once: RenewalService claims subscriptions with SKIP LOCKED and unique
 * terms, so each term is created once.
 */
@Injectable()
export class RenewalJob implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RenewalJob');
  private job?: CronJob;

  constructor(
    private readonly config: ConfigService,
    private readonly scheduler: SchedulerRegistry,
    private readonly renewals: RenewalService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    if (!this.config.get<boolean>('JOBS_ENABLED')) return;
    const cron = this.config.get<string>('RENEWALS_CRON') ?? '0 15 1 * * *';
    this.job = CronJob.from({ cronTime: cron, onTick: () => this.tick(), start: true, timeZone: 'UTC' });
    this.scheduler.addCronJob('subscription-renewals', this.job);
  }

  onApplicationShutdown(): void {
    void this.job?.stop();
  }

  async tick(): Promise<void> {
    try {
      await observeJob('subscription-renewals', () => this.renewals.run(this.clock.today()));
    } catch (err) {
      this.logger.error({ err }, 'renewal run failed');
    }
  }
}
