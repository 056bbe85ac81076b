import { environment } from '#disty/core';

/**
 * Imported first by one-shot scripts: their app context must not start the scheduled jobs
 * (ConfigModule reads JOBS_ENABLED when the app module is first imported), and a wrong
 * configuration value stops them here, named, before the app module is loaded.
 */
process.env.JOBS_ENABLED = 'false';
try {
  environment();
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
