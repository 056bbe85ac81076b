import { ConfigService } from '@nestjs/config';
import { parseThresholds } from './domain/threshold-rule';

/**
 * Settings of renewal alerts, read once at start-up. A wrong value stops the app with the
 * variable's name (RENEWAL_* are also checked by the core Environment schema). The webhook
 * settings (WEBHOOK_*) are the webhooks module's own (libs/webhooks/src/webhooks.config.ts).
 */
export interface RenewalAlertSettings {
  jobsEnabled: boolean;
  scanCron: string;
  thresholds: number[];
}

export const RENEWAL_ALERT_SETTINGS = Symbol('RENEWAL_ALERT_SETTINGS');

export function renewalAlertSettings(config: ConfigService): RenewalAlertSettings {
  return {
    jobsEnabled: config.get<boolean>('JOBS_ENABLED') !== false,
    scanCron: config.get<string>('RENEWAL_SCAN_CRON') ?? '0 5 2 * * *',
    thresholds: parseThresholds(config.get<string>('RENEWAL_THRESHOLDS') ?? '90,60,30'),
  };
}
