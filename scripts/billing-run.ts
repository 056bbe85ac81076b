import 'reflect-metadata';
import './jobs-off';
import { NestFactory } from '@nestjs/core';
import { Presets, SingleBar } from 'cli-progress';
import { runMigrations } from '#disty/core';
import { BillingRunService, BillingRunView, DEFAULT_BILLING_CONCURRENCY } from '#disty/invoicing';
import { AppModule } from '../apps/api/src/app.module';
import { withDatabase } from './db-script';

/**
 * `npm run billing:run -- --period-end YYYY-MM-DD [--concurrency N]`: starts the billing run for
 * that period end (or resumes it: a run left RUNNING by a process that died continues with the
 * resellers not yet billed) and bills in the foreground with a progress bar. Exit code 0 when the
 * run is COMPLETED, 2 when some reseller failed (run it again to retry them), 3 when another live
 * process is running it.
 */
function args(argv: string[]): { periodEnd: string; concurrency: number } {
  const get = (name: string) => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return undefined;
    return argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  };
  const periodEnd = get('period-end');
  if (!periodEnd || !/^\d{4}-\d{2}-\d{2}$/.test(periodEnd) || Number.isNaN(Date.parse(`${periodEnd}T00:00:00Z`))) {
    console.error('usage: npm run billing:run -- --period-end YYYY-MM-DD [--concurrency N]');
    process.exit(64);
  }
  const concurrency = Number(get('concurrency') ?? DEFAULT_BILLING_CONCURRENCY);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
    console.error('--concurrency must be an integer from 1 to 16');
    process.exit(64);
  }
  return { periodEnd, concurrency };
}

void withDatabase(async (db) => {
  const { periodEnd, concurrency } = args(process.argv.slice(2));
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'warn';
  await runMigrations(db.migrationUrl);
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  try {
    const runs = app.get(BillingRunService);
    const { run, created } = await runs.start(periodEnd, null);
    console.log(
      `${created ? 'Starting' : 'Resuming'} billing run ${run.id} for the period ending ${periodEnd} (${run.resellersTotal} resellers)`,
    );
    if (run.status === 'COMPLETED') {
      console.log(`Already completed: ${run.invoicesIssued} invoice(s) issued.`);
      return 0;
    }
    const bar = new SingleBar(
      {
        format: 'billing [{bar}] {percentage}% | {value}/{total} resellers | {invoices} invoices | {failed} failed | ETA {eta_formatted}',
        hideCursor: true,
      },
      Presets.shades_classic,
    );
    bar.start(run.resellersTotal, run.resellersDone + run.resellersFailed, {
      invoices: run.invoicesIssued,
      failed: run.resellersFailed,
    });
    let result: BillingRunView | null;
    try {
      result = await runs.process(run.id, {
        concurrency,
        onProgress: (v) =>
          bar.update(v.resellersDone + v.resellersFailed, {
            invoices: v.invoicesIssued,
            failed: v.resellersFailed,
          }),
      });
    } finally {
      bar.stop();
    }
    if (!result) {
      console.error('Another live process is running this billing run; nothing done.');
      return 3;
    }
    console.log(
      `Billing run ${result.status}: ${result.invoicesIssued} invoice(s) for ${result.resellersDone} reseller(s)` +
        (result.resellersFailed ? `, ${result.resellersFailed} failed (run again to retry them)` : ''),
    );
    return result.status === 'COMPLETED' ? 0 : 2;
  } finally {
    await app.close();
  }
});
