import 'reflect-metadata';
import './jobs-off';
import { NestFactory } from '@nestjs/core';
import { environment, runMigrations } from '#disty/core';
import { AppModule } from '../apps/api/src/app.module';
import { seedDemoData } from '../apps/api/src/seed/demo-seed';
import { renewalScanOnStart, runStartupRenewalScan } from '../apps/api/src/seed/startup-scan';
import { withDatabase } from './db-script';

/** `npm run seed`: loads the demo data set into an empty database and prints the demo tokens. */
void withDatabase(async (db) => {
  await runMigrations(db.migrationUrl);
  const app = await NestFactory.create(AppModule, { logger: ['error'] });
  try {
    await app.init();
    const result = await seedDemoData(app);
    console.log(result.created ? 'demo data loaded' : 'the database already holds users: demo data left as it is');
    // The scan as npm start runs it, so the loaded renewals show in the pipeline at once.
    if (renewalScanOnStart({ ...environment(), JOBS_ENABLED: true })) await runStartupRenewalScan(app, (line) => console.log(line));
    for (const t of result.tokens)
      console.log(`demo user  ${t.role.padEnd(16)} ${t.email.padEnd(28)} password ${t.password}  token ${t.token}`);
  } finally {
    await app.close();
  }
});
