import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus metrics (docs/operations.md §12). Counters and histograms that modules
 * add to live here, in one registry per process; gauges read at scrape time (pool, backlog, billing
 * progress) belong to each app instance and are added by the API's MetricsService.
 */
export const processMetrics = new Registry();
collectDefaultMetrics({ register: processMetrics, prefix: 'disty_' });

export const httpRequestDuration = new Histogram({
  name: 'disty_http_request_duration_seconds',
  help: 'HTTP request latency by method, route pattern and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [processMetrics],
});

export const jobRuns = new Counter({
  name: 'disty_job_runs_total',
  help: 'Scheduled job runs by job and outcome (ok, skipped: another instance had it, failed)',
  labelNames: ['job', 'outcome'] as const,
  registers: [processMetrics],
});

export const jobDuration = new Histogram({
  name: 'disty_job_duration_seconds',
  help: 'Duration of scheduled job runs',
  labelNames: ['job'] as const,
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
  registers: [processMetrics],
});

export const ledgerPostings = new Counter({
  name: 'disty_ledger_postings_total',
  help: 'Journal entries written by this process, by source type (counted when written in their transaction)',
  labelNames: ['source_type'] as const,
  registers: [processMetrics],
});

/**
 * Runs one scheduled job and records it: `disty_job_runs_total{job,outcome}` and its duration.
 * `fn` answers null when it skipped (another instance holds the job's lock). Errors are recorded
 * as `failed` and rethrown.
 */
export async function observeJob<T>(job: string, fn: () => Promise<T>): Promise<T> {
  const end = jobDuration.startTimer({ job });
  try {
    const result = await fn();
    jobRuns.inc({ job, outcome: result === null ? 'skipped' : 'ok' });
    return result;
  } catch (e) {
    jobRuns.inc({ job, outcome: 'failed' });
    throw e;
  } finally {
    end();
  }
}
