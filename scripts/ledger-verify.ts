import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { runMigrations } from '@disty/core';
import { LedgerService } from '@disty/ledger';
import { AppModule } from '../apps/api/src/app.module';
import { withDatabase } from './db-script';

/**
 * `npm run ledger:verify`: recomputes the ledger from its lines (balance per entry and currency,
 * maintained balances, daily totals) and exits non-zero on any difference, printing each.
 */
void withDatabase(async (db) => {
  process.env.JOBS_ENABLED = 'false';
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'warn';
  await runMigrations(db.url);
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
  try {
    const problems = await app.get(LedgerService).verify();
    for (const p of problems) console.log(`DIFFERENCE ${p}`);
    console.log(problems.length ? `ledger:verify found ${problems.length} difference(s)` : 'ledger:verify: the ledger is consistent');
    return problems.length ? 2 : 0;
  } finally {
    await app.close();
  }
});
