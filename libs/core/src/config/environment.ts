import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  getMetadataStorage,
  validateSync,
} from 'class-validator';
import { CURRENCIES } from '../money/currency';

const CRON = /^(\S+\s+){4,5}\S+$/;

// ---- strict parsers (issue 21, "Safe defaults"): a value that is not exactly a boolean or a number
// is kept as given, so the validator refuses it and names the variable (docs/security.md, "Configuration").
const unset = (v: unknown) => v === undefined || v === null || v === '';
/** `true`/`1` or `false`/`0`, nothing else (`TRUE`, `yes` stop start-up). */
const bool =
  (fallback: boolean) =>
  ({ value }: { value: unknown }) =>
    unset(value)
      ? fallback
      : value === true || value === 'true' || value === '1'
        ? true
        : value === false || value === 'false' || value === '0'
          ? false
          : value;
/** Decimal digits only (`abc`, `12abc`, `1e3` stop start-up). */
const int =
  (fallback: number) =>
  ({ value }: { value: unknown }) =>
    unset(value) ? fallback : typeof value === 'number' ? value : /^\d{1,15}$/.test(String(value)) ? Number(value) : value;
/** A plain decimal number (`0.5`, `60`). */
const num =
  (fallback: number) =>
  ({ value }: { value: unknown }) =>
    unset(value) ? fallback : typeof value === 'number' ? value : /^\d{1,15}(\.\d{1,6})?$/.test(String(value)) ? Number(value) : value;
const isBool = (name: string) => IsBoolean({ message: `${name} must be true or false` });
const isInt = (name: string) => IsInt({ message: `${name} must be an integer` });
// ---- end strict parsers

/** Every environment variable Disty reads; a wrong value stops start-up with its name. */
export class Environment {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: string = 'development';

  @Transform(int(3000))
  @isInt('PORT')
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** The owner role's URL, for migrations; defaults to DATABASE_URL (see README, "Database roles"). */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'MIGRATION_DATABASE_URL must be a postgres:// URL' })
  MIGRATION_DATABASE_URL?: string;

  /**
   * A streaming replica the read-only reports (trial balance, aging, margin, deferred revenue,
   * exports) read from; unset: they read the primary (docs/operations.md §15).
   */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_READ_URL must be a postgres:// URL' })
  DATABASE_READ_URL?: string;

  /** /metrics on a listener of its own (docs/operations.md §12). */
  @IsOptional()
  @Matches(/^\d{1,5}$/, { message: 'METRICS_PORT must be a port number' })
  METRICS_PORT?: string;

  @IsOptional()
  @IsString()
  METRICS_HOST?: string;

  @IsOptional()
  @IsIn(['true', 'false', '1', '0'], { message: 'METRICS_PUBLIC must be true or false' })
  METRICS_PUBLIC?: string;

  @IsOptional()
  @Matches(/^.{16,200}$/, { message: 'METRICS_TOKEN must be 16–200 characters' })
  METRICS_TOKEN?: string;

  /** `off` for transaction poolers that do not track prepared statements (docs/operations.md §10). */
  @IsOptional()
  @IsIn(['on', 'off', 'true', 'false', '1', '0', 'ON', 'OFF'], {
    message: 'DB_PREPARED_STATEMENTS must be on or off',
  })
  DB_PREPARED_STATEMENTS?: string;

  @IsOptional()
  @IsString()
  @Matches(/^.{16,200}$/, { message: 'BOOTSTRAP_ADMIN_TOKEN must be 16–200 characters' })
  BOOTSTRAP_ADMIN_TOKEN?: string;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  @Transform(int(1200))
  @isInt('THROTTLE_LIMIT')
  @Min(1)
  THROTTLE_LIMIT: number = 1200;

  @Transform(int(60_000))
  @isInt('THROTTLE_TTL_MS')
  @Min(1000)
  THROTTLE_TTL_MS: number = 60_000;

  /** `false`: start without running migrations (a one-shot migrate step runs them: docs/operations.md §14). */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'MIGRATE_ON_START must be true or false' })
  MIGRATE_ON_START?: string;

  /** Rate-limit counters shared by every instance (docs/operations.md §13); unset: per instance. */
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsOptional()
  @Matches(/^[\w:.-]{1,100}$/, { message: 'REDIS_KEY_PREFIX must be letters, digits and : . - _' })
  REDIS_KEY_PREFIX?: string;

  @Transform(bool(true))
  @isBool('JOBS_ENABLED')
  JOBS_ENABLED: boolean = true;

  @IsOptional()
  @Matches(CRON, { message: 'RENEWAL_SCAN_CRON must be a cron expression' })
  RENEWAL_SCAN_CRON: string = '0 5 2 * * *';

  /**
   * Run the renewal-alert scan once at start-up, after the migrations and the demo seed (README,
   * "Configuration"). Unset: on, except with NODE_ENV=test or JOBS_ENABLED=false.
   */
  @IsOptional()
  @IsIn(['true', 'false', '1', '0'], { message: 'RENEWAL_SCAN_ON_START must be true or false' })
  RENEWAL_SCAN_ON_START?: string;

  @IsOptional()
  @Matches(/^\d{1,4}(,\d{1,4})*$/, {
    message: 'RENEWAL_THRESHOLDS must be comma-separated day counts, e.g. 90,60,30',
  })
  RENEWAL_THRESHOLDS: string = '90,60,30';

  @IsOptional()
  @Matches(CRON, { message: 'RENEWALS_CRON must be a cron expression' })
  RENEWALS_CRON: string = '0 15 1 * * *';

  @IsOptional()
  @Matches(CRON, { message: 'BILLING_CRON must be a cron expression' })
  BILLING_CRON: string = '0 0 3 1 * *';

  @Transform(int(30))
  @isInt('CREDIT_HOLD_DAYS_OVERDUE')
  @Min(0)
  CREDIT_HOLD_DAYS_OVERDUE: number = 30;

  @IsOptional()
  @IsString()
  STRIPE_SECRET_KEY?: string;

  @IsOptional()
  @IsString()
  STRIPE_WEBHOOK_SECRET?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  STRIPE_API_BASE?: string;

  /** Stripe's dispute fee in the payment's currency when a dispute event gives no balance transaction (docs/accounting.md §3). */
  @IsOptional()
  @Matches(/^\d{1,6}(\.\d{1,4})?$/, { message: 'STRIPE_DISPUTE_FEE must be a decimal amount such as 25.00' })
  STRIPE_DISPUTE_FEE?: string;
  /**
   * The distributor's reporting (base) currency: every journal line keeps its amount in it beside
   * its own (docs/accounting.md §10). Fixed when the ledger's currency migration first runs.
   */
  @IsOptional()
  @IsIn(CURRENCIES, { message: `REPORTING_CURRENCY must be one of ${CURRENCIES.join(', ')}` })
  REPORTING_CURRENCY: string = 'AUD';

  /** Given to the web portal (GET /api/v1/config/public) for Stripe Elements; never a secret. */
  @IsOptional()
  @Matches(/^pk_(test|live)_\w+$/, {
    message: 'STRIPE_PUBLISHABLE_KEY must be a Stripe publishable key (pk_test_… or pk_live_…)',
  })
  STRIPE_PUBLISHABLE_KEY?: string;

  // ---- safe defaults (issue 21): every other variable Disty reads, parsed here and nowhere else
  /** Address the API listens on: 127.0.0.1 outside containers (the Dockerfile sets 0.0.0.0). */
  @IsOptional()
  @Matches(/^[\w.:-]{1,253}$/, { message: 'HOST must be a host name or an IP address' })
  HOST: string = '127.0.0.1';

  /** Load the demo data set into an empty database when DATABASE_URL is set (never in production). */
  @Transform(bool(false))
  @isBool('SEED_DEMO')
  SEED_DEMO: boolean = false;

  @Transform(int(54329))
  @isInt('EMBEDDED_PG_PORT')
  @Min(1)
  @Max(65535)
  EMBEDDED_PG_PORT: number = 54329;

  @IsOptional()
  @IsString()
  EMBEDDED_PG_DATA_DIR?: string;

  /**
   * Seconds an API instance keeps a verified token in memory (docs/performance.md, "Token lookup");
   * 0 looks every request's token up in the database. Revocation stays immediate (LISTEN/NOTIFY).
   */
  @Transform(int(30))
  @isInt('TOKEN_CACHE_SECONDS')
  @Min(0)
  @Max(3600)
  TOKEN_CACHE_SECONDS: number = 30;

  /** Connections per instance (docs/operations.md §10: instances × DB_POOL_SIZE ≤ max_connections − reserve). */
  @Transform(int(20))
  @isInt('DB_POOL_SIZE')
  @Min(1)
  @Max(1000)
  DB_POOL_SIZE: number = 20;

  /** Folder of the built web portal (default dist/portal). */
  @IsOptional()
  @IsString()
  PORTAL_DIST?: string;

  @Transform(int(10_000))
  @isInt('WEBHOOK_DELIVERY_INTERVAL_MS')
  @Min(100)
  @Max(3_600_000)
  WEBHOOK_DELIVERY_INTERVAL_MS: number = 10_000;

  @Transform(num(60))
  @IsNumber({}, { message: 'WEBHOOK_BACKOFF_BASE_SECONDS must be a number' })
  @Min(0)
  @Max(86_400)
  WEBHOOK_BACKOFF_BASE_SECONDS: number = 60;

  @Transform(int(8))
  @isInt('WEBHOOK_MAX_ATTEMPTS')
  @Min(1)
  @Max(50)
  WEBHOOK_MAX_ATTEMPTS: number = 8;

  @Transform(int(5_000))
  @isInt('WEBHOOK_TIMEOUT_MS')
  @Min(100)
  @Max(60_000)
  WEBHOOK_TIMEOUT_MS: number = 5_000;

  @Transform(int(50))
  @isInt('WEBHOOK_BATCH_SIZE')
  @Min(1)
  @Max(1_000)
  WEBHOOK_BATCH_SIZE: number = 50;

  /** Webhook URLs on loopback/private/link-local addresses: refused unless set (docs/security.md). */
  @Transform(bool(false))
  @isBool('WEBHOOK_ALLOW_PRIVATE_URLS')
  WEBHOOK_ALLOW_PRIVATE_URLS: boolean = false;

  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'SUPPLIER_COUNTRY must be an ISO 3166-1 alpha-2 code such as "AU"' })
  SUPPLIER_COUNTRY: string = 'AU';

  @IsOptional() @IsString() SUPPLIER_LEGAL_NAME?: string;
  @IsOptional() @IsString() SUPPLIER_TAX_LABEL?: string;
  @IsOptional() @IsString() SUPPLIER_ABN?: string;
  @IsOptional() @IsString() SUPPLIER_ADDRESS?: string;
  @IsOptional() @IsString() SUPPLIER_EMAIL?: string;
  @IsOptional() @IsString() BANK_ACCOUNT_NAME?: string;
  @IsOptional() @IsString() BANK_NAME?: string;
  @IsOptional() @IsString() BANK_BSB?: string;
  @IsOptional() @IsString() BANK_ACCOUNT_NUMBER?: string;
  @IsOptional() @IsString() BANK_SWIFT?: string;

  /** `pretty` (one readable line per event) or `json`; default pretty with NODE_ENV=development, else json. */
  @IsIn(['pretty', 'json'], { message: 'LOG_FORMAT must be pretty or json' })
  LOG_FORMAT!: 'pretty' | 'json'; // its default is set in validateEnvironment

  // ---- sign-in (issue 20, docs/security.md §6–§9)
  /** A portal session ends after this many minutes without a request. */
  @Transform(int(480))
  @isInt('SESSION_IDLE_MINUTES')
  @Min(5)
  @Max(43_200)
  SESSION_IDLE_MINUTES: number = 480;

  /** A portal session ends this many hours after sign-in, however active. */
  @Transform(int(168))
  @isInt('SESSION_MAX_HOURS')
  @Min(1)
  @Max(8_760)
  SESSION_MAX_HOURS: number = 168;

  /** The portal's address, in set-password and reset links (default http://localhost:PORT). */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }, { message: 'PORTAL_PUBLIC_URL must be an http(s) URL' })
  PORTAL_PUBLIC_URL?: string;
  // ---- end sign-in

  /** Test only (NODE_ENV=test): the crash tests' kill point (libs/core/src/idempotency/idempotent-transaction.ts). */
  @IsOptional()
  @IsIn(['idempotency-before-commit', 'idempotency-after-commit'])
  DISTY_TEST_CRASH?: string;
  // ---- end safe defaults
}

// ---- safe defaults (issue 21): production refuses demo credentials (docs/security.md)
/** Bootstrap tokens shipped in this repository's examples: never accepted in production. */
const KNOWN_BOOTSTRAP_TOKENS = ['change-me-bootstrap-admin-token', 'test-bootstrap-admin-token'];
export const MIN_PRODUCTION_TOKEN_LENGTH = 32;

function productionProblems(env: Environment): string[] {
  if (env.NODE_ENV !== 'production') return [];
  const problems: string[] = [];
  const token = env.BOOTSTRAP_ADMIN_TOKEN;
  if (
    token !== undefined &&
    (token.length < MIN_PRODUCTION_TOKEN_LENGTH || KNOWN_BOOTSTRAP_TOKENS.includes(token) || /change-?me/i.test(token))
  ) {
    problems.push(
      `BOOTSTRAP_ADMIN_TOKEN: with NODE_ENV=production it must be a random secret of at least ${MIN_PRODUCTION_TOKEN_LENGTH} characters, not a default`,
    );
  }
  if (env.SEED_DEMO) problems.push('SEED_DEMO: the demo data set (and its users) is never loaded with NODE_ENV=production');
  return problems;
}
// ---- end safe defaults

export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const env = plainToInstance(Environment, raw, { exposeDefaultValues: true });
  if (unset(env.LOG_FORMAT)) env.LOG_FORMAT = env.NODE_ENV === 'development' ? 'pretty' : 'json';
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  // A value of the wrong type is reported as that alone (not also as out of range).
  const TYPE_RULES = ['isInt', 'isNumber', 'isBoolean'];
  const lines = errors.map((e) => {
    const c = e.constraints ?? {};
    const typeRule = TYPE_RULES.find((r) => c[r]);
    return `${e.property}: ${typeRule ? c[typeRule] : Object.values(c).join(', ')}`;
  });
  if (!errors.length) lines.push(...productionProblems(env));
  if (lines.length) throw new Error(`Invalid configuration — ${lines.join('; ')}`);
  return env;
}

let cached: { key: string; env: Environment } | undefined;

/**
 * The validated configuration of this process: the one reader of `process.env` in apps/ and libs/
 * (scripts read it through here too). Re-validated when a variable changes (tests set some
 * between apps), so it always matches what ConfigModule would validate.
 */
export function environment(): Environment {
  const raw = process.env;
  const key = JSON.stringify(ENV_NAMES.map((k) => raw[k] ?? null));
  if (cached?.key !== key) cached = { key, env: validateEnvironment(raw) };
  return cached.env;
}

/** The variables the schema knows (every property with a validation rule). */
const ENV_NAMES: string[] = [
  ...new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(Environment, '', true, false)
      .map((m) => m.propertyName),
  ),
];

/**
 * The environment a child process inherits (the embedded PostgreSQL's `initdb`/`postgres`): the
 * process's own, passed through untouched, never read for configuration.
 */
export function inheritedEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env };
}
