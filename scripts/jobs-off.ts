/**
 * Imported first by one-shot scripts: their app context must not start the scheduled jobs
 * (ConfigModule reads JOBS_ENABLED when the app module is first imported).
 */
process.env.JOBS_ENABLED = 'false';
