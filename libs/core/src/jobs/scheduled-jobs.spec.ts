import { minuteCron, ScheduledJobs } from './scheduled-jobs';

describe('ScheduledJobs', () => {
  it('takes 5-field crons, and 6-field ones whose seconds are 0', () => {
    expect(minuteCron('0 0 3 1 * *')).toBe('0 3 1 * *');
    expect(minuteCron('15 1 * * *')).toBe('15 1 * * *');
    expect(() => minuteCron('30 0 3 1 * *')).toThrow(/on the minute/);
    expect(() => minuteCron('* *')).toThrow();
  });

  it('refuses a job name registered twice', () => {
    const jobs = new ScheduledJobs();
    const job = { name: 'x', cron: '0 3 * * *', catchUpMs: 0, run: async () => null };
    jobs.register(job);
    expect(() => jobs.register(job)).toThrow(/twice/);
    expect(jobs.all()).toHaveLength(1);
  });
});
