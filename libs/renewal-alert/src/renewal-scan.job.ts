import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { observeJob } from '@disty/core';
import { RENEWAL_ALERT_SETTINGS, RenewalAlertSettings } from './renewal-alert.config';
import { RenewalAlertService } from './renewal-alert.service';

/**
 * The daily renewal-alert scan on RENEWAL_SCAN_CRON (UTC), registered only when JOBS_ENABLED.
 * When several instances fire it at once, one scans (advisory lock) and the others skip; the
 * alerts' unique key would keep them exact anyway.
 */
@Injectable()
export class RenewalScanJob implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RenewalScanJob');
  private job?: CronJob;

  constructor(
    private readonly alerts: RenewalAlertService,
    private readonly scheduler: SchedulerRegistry,
    @Inject(RENEWAL_ALERT_SETTINGS) private readonly settings: RenewalAlertSettings,
  ) {}

  onModuleInit(): void {
    if (!this.settings.jobsEnabled) return;
    this.job = CronJob.from({ cronTime: this.settings.scanCron, onTick: () => this.tick(), start: true, timeZone: 'UTC' });
    this.scheduler.addCronJob('renewal-alert-scan', this.job);
  }

  onApplicationShutdown(): void {
    void this.job?.stop();
  }

  async tick(): Promise<void> {
    try {
      const r = await observeJob('renewal-alert-scan', () => this.alerts.scheduledScan());
      if (r === null) this.logger.log('renewal alert scan already running elsewhere; skipped');
    } catch (err) {
      this.logger.error({ err }, 'renewal alert scan failed');
    }
  }
}
