import { ConfigService } from '@nestjs/config';
import { Clock, ScheduledJobs } from '#disty/core';
import { BillingRunJob, billingPeriodEnd } from './billing-run.job';
import { BillingRunService } from './billing-run.service';
import { CreditHoldService } from './credit-hold.service';

describe('BillingRunJob', () => {
  it('bills the calendar month before the occurrence, whenever it runs', () => {
    expect(billingPeriodEnd(new Date('2026-11-01T03:00:00Z'))).toBe('2026-10-31');
    expect(billingPeriodEnd(new Date('2026-01-01T03:00:00Z'))).toBe('2025-12-31');
    expect(billingPeriodEnd(new Date('2026-03-01T03:00:00Z'))).toBe('2026-02-28');
  });

  const make = (status: string) => {
    const view = {
      id: 'run-1',
      periodEnd: '2026-10-31',
      status,
      invoicesIssued: 3,
      resellersFailed: status === 'FAILED' ? 1 : 0,
    };
    const runs = {
      start: jest.fn().mockResolvedValue({ run: { ...view, status: 'RUNNING' }, created: true }),
      process: jest.fn().mockResolvedValue(view),
    };
    const jobs = new ScheduledJobs();
    const job = new BillingRunJob(
      { get: () => undefined } as unknown as ConfigService,
      jobs,
      runs as unknown as BillingRunService,
      {} as CreditHoldService,
      new Clock(),
    );
    return { job, jobs, runs };
  };

  it('registers billing-run (caught up within 35 days, in its own queue) and credit-holds', () => {
    const { job, jobs } = make('COMPLETED');
    job.onModuleInit();
    expect(jobs.get('billing-run')).toMatchObject({
      cron: '0 0 3 1 * *',
      catchUpMs: 35 * 86_400_000,
      queue: 'billing',
    });
    expect(jobs.get('credit-holds')).toBeDefined();
  });

  it('answers the completed run; a run that failed or was interrupted fails the attempt so the queue retries it', async () => {
    await expect(make('COMPLETED').job.monthlyRun('2026-10-31')).resolves.toEqual({
      runId: 'run-1',
      periodEnd: '2026-10-31',
      status: 'COMPLETED',
      invoicesIssued: 3,
    });
    await expect(make('FAILED').job.monthlyRun('2026-10-31')).rejects.toThrow(/1 reseller\(s\) failed/);
    await expect(make('RUNNING').job.monthlyRun('2026-10-31')).rejects.toThrow(/interrupted/);
  });
});
