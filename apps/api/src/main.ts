import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { describeConnectionError, environment, Environment, privilegedRoleWarning, provideDatabase, runMigrations } from '#disty/core';
import { seedDemoData } from './seed/demo-seed';
import { renewalScanOnStart, runStartupRenewalScan } from './seed/startup-scan';
import { configureApp } from './setup';

const say = (line: string) => process.stdout.write(`[disty] ${line}\n`);

async function main(): Promise<void> {
  let env: Environment;
  try {
    env = environment();
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
    if (env.MIGRATE_ON_START !== 'false') await runMigrations(db.migrationUrl, say);
  } catch (e) {
    console.error(describeConnectionError(db.migrationUrl, e));
    await stopDatabase();
    process.exit(1);
  }
  const roleWarning = await privilegedRoleWarning(db.url).catch(() => null);
  if (roleWarning) say(`WARNING ${roleWarning}`);

  // Loaded only now: its modules read the configuration when loaded, and a wrong value is reported above, not as a stack trace.
  const { AppModule } = await import('./app.module.js');
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: true });
  configureApp(app);

  // Never in production (the schema refuses SEED_DEMO there; docs/security.md, "Demo credentials").
  const seeded = env.NODE_ENV !== 'production' && (db.embedded || env.SEED_DEMO) ? await seedDemoData(app) : null;
  // The renewal scan once, after the migrations and the seed, before listening: the first look at
  // the pipeline shows what is due today (RENEWAL_SCAN_ON_START; README "Configuration").
  if (renewalScanOnStart(env)) await runStartupRenewalScan(app, say);
  const { PORT: port, HOST: host } = env;
  await app.listen(port, host);

  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  say(
    `API listening on http://${shown}:${port}/api/v1 (bound to ${host}) — docs at /docs, health at /health (probes /health/live, /health/ready)`,
  );
  // The demo tokens come last, once: they are random per database and stored only as hashes.
  if (seeded && !seeded.created) say('demo data already present (its tokens were printed when it was loaded)');
  if (seeded?.created) {
    say(
      'demo data loaded into the empty database; its users sign in to the portal with these passwords, or use the API tokens (shown this once, keep them):',
    );
    for (const t of seeded.tokens) say(`demo user  ${t.role.padEnd(16)} ${t.email.padEnd(28)} password ${t.password}  token ${t.token}`);
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
