import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'crypto';
import { DataSource } from 'typeorm';
import { findIdempotencyKey, idempotentTransaction, replayOrRefuse } from './idempotent-transaction';

/**
 * Idempotency keys stored in PostgreSQL, unique per (scope, key). A key's outcome is written by
 * idempotentTransaction in the business change's own transaction; this service answers the
 * cheap cases before the handler runs and stores the outcome of handlers that changed nothing.
 */
@Injectable()
export class IdempotencyService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  static hashRequest(method: string, path: string, body: unknown): string {
    return createHash('sha256')
      .update(`${method} ${path}\n${stableStringify(body ?? null)}`)
      .digest('hex');
  }

  /** Throws IdempotentReplay (a stored outcome) or 409 idempotency-key-reuse; returns when the request must run. */
  async check(scope: string, key: string, requestHash: string): Promise<void> {
    const row = await findIdempotencyKey(this.db.manager, scope, key);
    if (row) replayOrRefuse(row, requestHash);
  }

  /**
   * Stores the response of a handler that ran no idempotent transaction (it changed nothing, e.g.
   * it returned an existing resource), under the key's lock; a concurrent first outcome wins.
   */
  async storeWithoutChange(body: unknown): Promise<unknown> {
    await idempotentTransaction(this.db, async () => body);
    return body;
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
