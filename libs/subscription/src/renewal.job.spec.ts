import { ConfigService } from '@nestjs/config';
import { Clock, ScheduledJobs } from '#disty/core';
import { RenewalJob } from './renewal.job';
import { RenewalService } from './renewal.service';

describe('RenewalJob', () => {
  const make = (env: Record<string, unknown>) => {
    const jobs = new ScheduledJobs();
    const run = jest.fn().mockResolvedValue({ asOf: '2026-11-25', processed: 0, renewed: 0, expired: 0 });
    const clock = { today: () => '2026-11-25' } as Clock;
    const job = new RenewalJob(
      { get: (k: string) => env[k] } as unknown as ConfigService,
      jobs,
      { run } as unknown as RenewalService,
      clock,
    );
    return { job, jobs, run };
  };

  it('registers subscription-renewals on RENEWALS_CRON, caught up within a day', () => {
    const { job, jobs } = make({ RENEWALS_CRON: '0 20 1 * * *' });
    job.onModuleInit();
    expect(jobs.get('subscription-renewals')).toMatchObject({ cron: '0 20 1 * * *', catchUpMs: 86_400_000 });
  });

  it('runs the renewals as of today and answers their summary; a failure reaches the queue (which retries)', async () => {
    const { job, run } = make({});
    await expect(job.tick()).resolves.toMatchObject({ renewed: 0 });
    expect(run).toHaveBeenCalledWith('2026-11-25');
    run.mockRejectedValueOnce(new Error('database gone'));
    await expect(job.tick()).rejects.toThrow('database gone');
  });
});
