import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DAY_MS, ScheduledJobs } from '#disty/core';
import { RENEWAL_ALERT_SETTINGS, RenewalAlertSettings } from './renewal-alert.config';
import { RenewalAlertService, ScanSummary } from './renewal-alert.service';

/**
 * The daily renewal-alert scan on RENEWAL_SCAN_CRON (UTC), on the job queue (docs/operations.md §4;
 * a day missed while no instance was up is caught up once at start-up). One scan at a time
 * (advisory lock; a scan finding it taken is recorded SKIPPED); the alerts' unique key keeps them
 * exact anyway.
 */
@Injectable()
export class RenewalScanJob implements OnModuleInit {
  constructor(
    private readonly alerts: RenewalAlertService,
    private readonly jobs: ScheduledJobs,
    @Inject(RENEWAL_ALERT_SETTINGS) private readonly settings: RenewalAlertSettings,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: 'renewal-alert-scan',
      cron: this.settings.scanCron,
      catchUpMs: DAY_MS,
      run: () => this.tick(),
    });
  }

  async tick(): Promise<Record<string, unknown> | null> {
    const r: ScanSummary | null = await this.alerts.scheduledScan();
    return r && { ...r };
  }
}
