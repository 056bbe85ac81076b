import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'crypto';
import { DataSource } from 'typeorm';
import { coreError, CoreErrorCode } from '../errors/problem';

export type IdempotencyStart =
  | { kind: 'proceed' }
  | { kind: 'replay'; status: number; body: unknown };

const POLL_MS = 25;
const WAIT_LIMIT_MS = 30_000;
/** An in-progress key older than this is taken to belong to a process that died. */
const STALE_MS = 120_000;

/**
 * Idempotency keys stored in PostgreSQL. The unique (scope, key) row is claimed with
 * INSERT … ON CONFLICT DO NOTHING, so of any number of concurrent replays exactly one runs the
 * request; the others wait for its stored response and return it.
 */
@Injectable()
export class IdempotencyService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  static hashRequest(method: string, path: string, body: unknown): string {
    return createHash('sha256')
      .update(`${method} ${path}\n${stableStringify(body ?? null)}`)
      .digest('hex');
  }

  async begin(scope: string, key: string, requestHash: string): Promise<IdempotencyStart> {
    const started = Date.now();
    for (;;) {
      const claimed: unknown[] = await this.db.query(
        `INSERT INTO idempotency_keys (scope, key, request_hash, state, locked_at)
         VALUES ($1, $2, $3, 'IN_PROGRESS', now())
         ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
        [scope, key, requestHash],
      );
      if (claimed.length) return { kind: 'proceed' };

      const rows: Array<{ request_hash: string; state: string; response_status: number; response_body: unknown; stale: boolean }> =
        await this.db.query(
          `SELECT request_hash, state, response_status, response_body,
                  locked_at < now() - make_interval(secs => $3) AS stale
             FROM idempotency_keys WHERE scope = $1 AND key = $2`,
          [scope, key, STALE_MS / 1000],
        );
      const row = rows[0];
      if (!row) continue; // the first attempt failed and released the key: claim it again
      if (row.request_hash !== requestHash) {
        throw coreError(
          CoreErrorCode.IdempotencyKeyReuse,
          'This Idempotency-Key was already used with a different request; use a new key',
        );
      }
      if (row.state === 'DONE') return { kind: 'replay', status: row.response_status, body: row.response_body };
      if (row.stale) {
        const taken: unknown[] = await this.db.query(
          `UPDATE idempotency_keys SET locked_at = now()
            WHERE scope = $1 AND key = $2 AND state = 'IN_PROGRESS'
              AND locked_at < now() - make_interval(secs => $3) RETURNING key`,
          [scope, key, STALE_MS / 1000],
        );
        if (taken.length) return { kind: 'proceed' };
      }
      if (Date.now() - started > WAIT_LIMIT_MS) {
        throw coreError(CoreErrorCode.Conflict, 'A request with this Idempotency-Key is still in progress');
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  async complete(scope: string, key: string, status: number, body: unknown): Promise<void> {
    await this.db.query(
      `UPDATE idempotency_keys SET state = 'DONE', response_status = $3, response_body = $4::jsonb, completed_at = now()
        WHERE scope = $1 AND key = $2`,
      [scope, key, status, JSON.stringify(body ?? null)],
    );
  }

  /** The request failed: free the key so that the client may retry it. */
  async release(scope: string, key: string): Promise<void> {
    await this.db.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND state = 'IN_PROGRESS'`, [
      scope,
      key,
    ]);
  }
}

export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}
