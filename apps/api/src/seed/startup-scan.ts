import { INestApplication } from '@nestjs/common';
import { RenewalAlertService } from '#disty/renewal-alert';

/**
 * Whether start-up runs the renewal-alert scan (RENEWAL_SCAN_ON_START, README "Configuration"):
 * explicit true/false wins; unset, it is on unless NODE_ENV=test or JOBS_ENABLED=false (an
 * instance that runs no jobs scans nothing at start-up either).
 */
export function renewalScanOnStart(env: { RENEWAL_SCAN_ON_START?: string; NODE_ENV?: string; JOBS_ENABLED?: boolean | string }): boolean {
  const v = env.RENEWAL_SCAN_ON_START;
  if (v !== undefined && v !== '') return v === 'true' || v === '1';
  if (env.NODE_ENV === 'test') return false;
  return !(env.JOBS_ENABLED === false || env.JOBS_ENABLED === 'false' || env.JOBS_ENABLED === '0');
}

/**
 * The renewal-alert scan, once, as of today: the daily scan's work done now, so that a fresh
 * start (e.g. the demo data just loaded) shows a populated pipeline instead of waiting for
 * RENEWAL_SCAN_CRON. Under the scan's advisory lock (RenewalAlertService.scheduledScan): when
 * several instances start together one scans and the others skip; the alerts' unique key keeps
 * every (term, threshold) raised once in any case. A failure is reported, never fatal: the daily
 * scan raises what this one missed.
 */
export async function runStartupRenewalScan(app: INestApplication, say: (line: string) => void): Promise<void> {
  try {
    const r = await app.get(RenewalAlertService).scheduledScan();
    if (r === null) say('renewal alert scan: already running in another instance; skipped');
    else say(`renewal alert scan as of ${r.asOf}: ${r.raised} alert(s) raised, ${r.closedRenewed} closed as renewed`);
  } catch (e) {
    say(`renewal alert scan at start-up failed (the scheduled scan will retry): ${(e as Error).message}`);
  }
}
