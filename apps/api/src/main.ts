import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { describeConnectionError, privilegedRoleWarning, provideDatabase, runMigrations, validateEnvironment } from '@disty/core';
import { AppModule } from './app.module';
import { seedDemoData } from './seed/demo-seed';
import { renewalScanOnStart, runStartupRenewalScan } from './seed/startup-scan';
import { configureApp } from './setup';

const say = (line: string) => process.stdout.write(`[disty] ${line}\n`);

async function main(): Promise<void> {
  try {
    validateEnvironment(process.env);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
  const db = await provideDatabase(say).catch((e: Error) => {
    console.error(`Disty could not start its embedded PostgreSQL: ${e.message.split('\n')[0]}`);
    process.exit(1);
  });
  process.env.DATABASE_URL = db.url;

  let stopping = false;
  const stopDatabase = async () => {
    if (db.embedded) say('stopping embedded PostgreSQL');
    await db.stop();
  };

  try {
    // MIGRATE_ON_START=false: a one-shot migrate step runs them (docker-compose.yml); /health/ready
    // stays 503 until it has (docs/operations.md §11, §14).
    if (process.env.MIGRATE_ON_START !== 'false') await runMigrations(db.migrationUrl, say);
  } catch (e) {
    console.error(describeConnectionError(db.migrationUrl, e));
    await stopDatabase();
    process.exit(1);
  }
  const roleWarning = await privilegedRoleWarning(db.url).catch(() => null);
  if (roleWarning) say(`WARNING ${roleWarning}`);

  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: true });
  configureApp(app);

  const seeded = db.embedded || process.env.SEED_DEMO === 'true' ? await seedDemoData(app) : null;
  // The renewal scan once, after the migrations and the seed, before listening: the first look at
  // the pipeline shows what is due today (RENEWAL_SCAN_ON_START; README "Configuration").
  if (renewalScanOnStart(process.env)) await runStartupRenewalScan(app, say);
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);

  say(`API listening on http://localhost:${port}/api/v1 — docs at http://localhost:${port}/docs, health at /health (probes /health/live, /health/ready)`);
  if (seeded) {
    say(seeded.created ? 'demo data loaded into the empty database' : 'demo data already present');
    for (const t of seeded.tokens) say(`demo token  ${t.role.padEnd(16)} ${t.email.padEnd(34)} ${t.token}`);
  }

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal} received, shutting down`);
    await app.close().catch(() => undefined);
    await stopDatabase();
    process.exit(0);
  };
  // Order matters: the app drains first, then the database stops.
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
}

void main();
