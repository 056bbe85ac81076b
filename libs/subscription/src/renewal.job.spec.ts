import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '@disty/core';
import { RenewalJob } from './renewal.job';
import { RenewalService } from './renewal.service';

describe('RenewalJob', () => {
  const make = (env: Record<string, unknown>) => {
    const scheduler = new SchedulerRegistry();
    const run = jest.fn().mockResolvedValue({ processed: 0, renewed: 0, expired: 0 });
    const clock = { today: () => '2026-11-25' } as Clock;
    const job = new RenewalJob(
      { get: (k: string) => env[k] } as unknown as ConfigService,
      scheduler,
      { run } as unknown as RenewalService,
      clock,
    );
    return { job, scheduler, run };
  };

  it('registers the RENEWALS_CRON schedule only when JOBS_ENABLED is true', () => {
    const off = make({ JOBS_ENABLED: false, RENEWALS_CRON: '0 15 1 * * *' });
    off.job.onModuleInit();
    expect(off.scheduler.getCronJobs().size).toBe(0);

    const on = make({ JOBS_ENABLED: true, RENEWALS_CRON: '0 15 1 * * *' });
    on.job.onModuleInit();
    const cron = on.scheduler.getCronJob('subscription-renewals');
    expect(cron.cronTime.source).toBe('0 15 1 * * *');
    on.job.onApplicationShutdown();
  });

  it('runs the renewals as of today on each tick and survives a failure', async () => {
    const { job, run } = make({ JOBS_ENABLED: false });
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    await job.tick();
    expect(run).toHaveBeenCalledWith('2026-11-25');
    run.mockRejectedValueOnce(new Error('database gone'));
    await expect(job.tick()).resolves.toBeUndefined();
    expect(logged).toHaveBeenCalled();
    logged.mockRestore();
  });
});
