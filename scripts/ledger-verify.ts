import 'reflect-metadata';
import './jobs-off';
import { NestFactory } from '@nestjs/core';
import { runMigrations } from '#disty/core';
import { ServiceConservationService } from '#disty/invoicing';
import { LedgerService } from '#disty/ledger';
import { ReconciliationService, verifyBooks } from '#disty/payments';
import { AppModule } from '../apps/api/src/app.module';
import { withDatabase } from './db-script';

/**
 * `npm run ledger:verify`: recomputes the ledger from its lines (balance per entry and currency,
 * maintained balances, daily totals), reconciles its control accounts with the subledgers (AR
 * 1100/1110 = open invoices − unapplied credits per reseller and credit line, 2200 = unapplied
 * cash, 1050 = Stripe payments net of fees and refunds), checks signs (no AR credit balance beyond
 * unapplied credits, no 2200 debit balance) and the receivables subledger itself (AR movements,
 * credit applications and refunds, no cash on a credit, no credit stranded beside a debt; see
 * docs/money-integrity.md), checks service conservation per subscription billing period and that
 * no entry is dated after today or moves a control account by hand, and exits non-zero on any difference, printing each with its
 * reseller, line, expected and actual.
 */
void withDatabase(async (db) => {
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'warn';
  await runMigrations(db.migrationUrl);
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
  try {
    const problems = await verifyBooks(app.get(LedgerService), app.get(ReconciliationService), app.get(ServiceConservationService));
    for (const p of problems) console.log(`DIFFERENCE ${p}`);
    console.log(
      problems.length
        ? `ledger:verify found ${problems.length} difference(s)`
        : 'ledger:verify: the ledger is consistent, its control accounts equal the subledgers (open invoices net of unapplied credits, unapplied cash, Stripe clearing), signs are right and no credit is stranded',
    );
    return problems.length ? 2 : 0;
  } finally {
    await app.close();
  }
});
