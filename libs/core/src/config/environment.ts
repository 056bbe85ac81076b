import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, validateSync } from 'class-validator';
import { CURRENCIES } from '../money/currency';

const CRON = /^(\S+\s+){4,5}\S+$/;

/** Every environment variable Disty reads; a wrong value stops start-up with its name. */
export class Environment {
  @IsOptional() @IsIn(['development', 'production', 'test'])
  NODE_ENV: string = 'development';

  @Transform(({ value }) => (value === undefined ? 3000 : Number(value)))
  @IsInt() @Min(0) @Max(65535)
  PORT: number = 3000;

  @IsOptional() @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** The owner role's URL, for migrations; defaults to DATABASE_URL (see README, "Database roles"). */
  @IsOptional() @Matches(/^postgres(ql)?:\/\/.+/, { message: 'MIGRATION_DATABASE_URL must be a postgres:// URL' })
  MIGRATION_DATABASE_URL?: string;

  /** Connections per instance (docs/operations.md §10: instances × DB_POOL_SIZE ≤ max_connections − reserve). */
  @IsOptional() @Matches(/^[1-9]\d{0,3}$/, { message: 'DB_POOL_SIZE must be a whole number of connections (1–9999)' })
  DB_POOL_SIZE?: string;

  /** /metrics on a listener of its own (docs/operations.md §12). */
  @IsOptional() @Matches(/^\d{1,5}$/, { message: 'METRICS_PORT must be a port number' })
  METRICS_PORT?: string;

  @IsOptional() @IsString()
  METRICS_HOST?: string;

  @IsOptional() @IsIn(['true', 'false', '1', '0'], { message: 'METRICS_PUBLIC must be true or false' })
  METRICS_PUBLIC?: string;

  @IsOptional() @Matches(/^.{16,200}$/, { message: 'METRICS_TOKEN must be 16–200 characters' })
  METRICS_TOKEN?: string;

  /** `off` for transaction poolers that do not track prepared statements (docs/operations.md §10). */
  @IsOptional() @IsIn(['on', 'off', 'true', 'false', '1', '0', 'ON', 'OFF'], { message: 'DB_PREPARED_STATEMENTS must be on or off' })
  DB_PREPARED_STATEMENTS?: string;

  @IsOptional() @IsString() @Matches(/^.{16,200}$/, { message: 'BOOTSTRAP_ADMIN_TOKEN must be 16–200 characters' })
  BOOTSTRAP_ADMIN_TOKEN?: string;

  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  @Transform(({ value }) => (value === undefined ? 1200 : Number(value)))
  @IsInt() @Min(1)
  THROTTLE_LIMIT: number = 1200;

  @Transform(({ value }) => (value === undefined ? 60_000 : Number(value)))
  @IsInt() @Min(1000)
  THROTTLE_TTL_MS: number = 60_000;

  /** `false`: start without running migrations (a one-shot migrate step runs them: docs/operations.md §14). */
  @IsOptional() @IsIn(['true', 'false'], { message: 'MIGRATE_ON_START must be true or false' })
  MIGRATE_ON_START?: string;

  /** Rate-limit counters shared by every instance (docs/operations.md §13); unset: per instance. */
  @IsOptional() @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsOptional() @Matches(/^[\w:.-]{1,100}$/, { message: 'REDIS_KEY_PREFIX must be letters, digits and : . - _' })
  REDIS_KEY_PREFIX?: string;

  @Transform(({ value }) => value === undefined || value === 'true' || value === '1')
  JOBS_ENABLED: boolean = true;

  @IsOptional() @Matches(CRON, { message: 'RENEWAL_SCAN_CRON must be a cron expression' })
  RENEWAL_SCAN_CRON: string = '0 5 2 * * *';

  /**
   * Run the renewal-alert scan once at start-up, after the migrations and the demo seed (README,
   * "Configuration"). Unset: on, except with NODE_ENV=test or JOBS_ENABLED=false.
   */
  @IsOptional() @IsIn(['true', 'false', '1', '0'], { message: 'RENEWAL_SCAN_ON_START must be true or false' })
  RENEWAL_SCAN_ON_START?: string;

  @IsOptional() @Matches(/^\d{1,4}(,\d{1,4})*$/, { message: 'RENEWAL_THRESHOLDS must be comma-separated day counts, e.g. 90,60,30' })
  RENEWAL_THRESHOLDS: string = '90,60,30';

  @IsOptional() @Matches(CRON, { message: 'RENEWALS_CRON must be a cron expression' })
  RENEWALS_CRON: string = '0 15 1 * * *';

  @IsOptional() @Matches(CRON, { message: 'BILLING_CRON must be a cron expression' })
  BILLING_CRON: string = '0 0 3 1 * *';

  @Transform(({ value }) => (value === undefined ? 30 : Number(value)))
  @IsInt() @Min(0)
  CREDIT_HOLD_DAYS_OVERDUE: number = 30;

  @IsOptional() @IsString()
  STRIPE_SECRET_KEY?: string;

  @IsOptional() @IsString()
  STRIPE_WEBHOOK_SECRET?: string;

  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  STRIPE_API_BASE?: string;

  /** Stripe's dispute fee in the payment's currency when a dispute event gives no balance transaction (docs/accounting.md §3). */
  @IsOptional() @Matches(/^\d{1,6}(\.\d{1,4})?$/, { message: 'STRIPE_DISPUTE_FEE must be a decimal amount such as 25.00' })
  STRIPE_DISPUTE_FEE?: string;
  /**
   * The distributor's reporting (base) currency: every journal line keeps its amount in it beside
   * its own (docs/accounting.md §10). Fixed when the ledger's currency migration first runs.
   */
  @IsOptional() @IsIn(CURRENCIES, { message: `REPORTING_CURRENCY must be one of ${CURRENCIES.join(', ')}` })
  REPORTING_CURRENCY: string = 'AUD';

  /** Given to the web portal (GET /api/v1/config/public) for Stripe Elements; never a secret. */
  @IsOptional() @Matches(/^pk_(test|live)_\w+$/, { message: 'STRIPE_PUBLISHABLE_KEY must be a Stripe publishable key (pk_test_… or pk_live_…)' })
  STRIPE_PUBLISHABLE_KEY?: string;
}

export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const env = plainToInstance(Environment, raw, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  if (errors.length) {
    const lines = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`);
    throw new Error(`Invalid configuration — ${lines.join('; ')}`);
  }
  return env;
}
