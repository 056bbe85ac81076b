import { ConfigService } from '@nestjs/config';

/**
 * Settings of the webhook outbox and its delivery worker, read once at start-up (the WEBHOOK_SETTINGS
 * provider's factory): a wrong WEBHOOK_* value stops the app with a message naming the variable.
 */
export interface WebhookSettings {
  jobsEnabled: boolean;
  /** How often the delivery worker looks for due deliveries. */
  deliveryIntervalMs: number;
  /** Backoff base: the retry after failed attempt n waits base × 2^(n−1) seconds. */
  backoffBaseSeconds: number;
  maxAttempts: number;
  timeoutMs: number;
  /** Deliveries claimed per batch. */
  batchSize: number;
  /** Whether webhook URLs may point at loopback/private addresses: only when WEBHOOK_ALLOW_PRIVATE_URLS=true (docs/security.md). */
  allowPrivateUrls: boolean;
}

export const WEBHOOK_SETTINGS = Symbol('WEBHOOK_SETTINGS');

function num(config: ConfigService, name: string, fallback: number, min: number, max: number, integer = true): number {
  const raw = config.get<string | number>(name);
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw new Error(
      `Invalid configuration — ${name} must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max} (got "${raw}")`,
    );
  }
  return value;
}

function flag(config: ConfigService, name: string, fallback: boolean): boolean {
  const raw = config.get<string | boolean>(name);
  if (raw === undefined || raw === null || raw === '') return fallback;
  if (raw === true || raw === 'true' || raw === '1') return true;
  if (raw === false || raw === 'false' || raw === '0') return false;
  throw new Error(`Invalid configuration — ${name} must be true or false (got "${raw}")`);
}

export function webhookSettings(config: ConfigService): WebhookSettings {
  return {
    jobsEnabled: config.get<boolean>('JOBS_ENABLED') !== false,
    deliveryIntervalMs: num(config, 'WEBHOOK_DELIVERY_INTERVAL_MS', 10_000, 100, 3_600_000),
    backoffBaseSeconds: num(config, 'WEBHOOK_BACKOFF_BASE_SECONDS', 60, 0, 86_400, false),
    maxAttempts: num(config, 'WEBHOOK_MAX_ATTEMPTS', 8, 1, 50),
    timeoutMs: num(config, 'WEBHOOK_TIMEOUT_MS', 5_000, 100, 60_000),
    batchSize: num(config, 'WEBHOOK_BATCH_SIZE', 50, 1, 1_000),
    allowPrivateUrls: flag(config, 'WEBHOOK_ALLOW_PRIVATE_URLS', false),
  };
}
