import { timingSafeEqual } from 'crypto';
import { environment, Environment } from '#disty/core';

/**
 * Where /metrics is served (docs/operations.md §12). Never on the public port unless asked:
 * `METRICS_PORT` opens a listener of its own (on `METRICS_HOST`, default 127.0.0.1);
 * `METRICS_PUBLIC=true` serves it on the API's port to anyone, `METRICS_TOKEN` on the API's port
 * to `Authorization: Bearer <token>` only. Read per request, so tests can switch it.
 */
export interface MetricsExposure {
  onMainPort: 'off' | 'public' | 'token';
  token?: string;
  port?: number;
  host: string;
}

export function metricsExposure(
  env: Pick<Environment, 'METRICS_TOKEN' | 'METRICS_PUBLIC' | 'METRICS_PORT' | 'METRICS_HOST'> = environment(),
): MetricsExposure {
  const token = env.METRICS_TOKEN || undefined;
  const isPublic = env.METRICS_PUBLIC === 'true' || env.METRICS_PUBLIC === '1';
  return {
    onMainPort: isPublic ? 'public' : token ? 'token' : 'off',
    token,
    port: env.METRICS_PORT ? Number(env.METRICS_PORT) : undefined,
    host: env.METRICS_HOST || '127.0.0.1',
  };
}

/** Constant-time check of an Authorization header against the metrics token. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
