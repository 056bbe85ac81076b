import { AsyncLocalStorage } from 'async_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { coreError, CoreErrorCode } from '../errors/problem';
import { environment } from '../config/environment';

/** The Idempotency-Key of the request being handled (set by IdempotencyInterceptor). */
export interface IdempotencyContext {
  scope: string;
  key: string;
  requestHash: string;
  /** The HTTP status of a success, stored with the body for replays. */
  status: number;
  /** Set once the key's response has committed, in the same transaction as the business change. */
  stored?: { body: unknown };
}

export const idempotencyContext = new AsyncLocalStorage<IdempotencyContext>();

/** Thrown inside the business transaction when the key already has a stored outcome: rolls it back. */
export class IdempotentReplay extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super('Idempotency-Key replay');
  }
}

const POLL_MS = 25;
const WAIT_LIMIT_MS = 30_000;
const BUSY = Symbol('busy');

interface KeyRow {
  request_hash: string;
  response_status: number;
  response_body: unknown;
}

/** The stored row of a key, or null. */
export async function findIdempotencyKey(em: EntityManager, scope: string, key: string): Promise<KeyRow | null> {
  const rows: KeyRow[] = await em.query(
    `SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE scope = $1 AND key = $2`,
    [scope, key],
  );
  return rows[0] ?? null;
}

/** A stored outcome for the same request replays; another request under the same key is refused (409). */
export function replayOrRefuse(row: KeyRow, requestHash: string): never {
  if (row.request_hash !== requestHash) {
    throw coreError(CoreErrorCode.IdempotencyKeyReuse, 'This Idempotency-Key was already used with a different request; use a new key');
  }
  // A row exists only once its request's outcome has committed (idempotency_keys_complete_check).
  throw new IdempotentReplay(row.response_status, row.response_body);
}

/**
 * `db.transaction(fn)`, and, when the current request carries an Idempotency-Key, the key's
 * outcome in the same transaction (docs/money-integrity.md, "Idempotency"): the key is taken first
 * (a transaction-scoped advisory lock; a concurrent duplicate waits, holding no connection, then
 * replays), and the response (`response(result)`, the JSON the client sees) is stored before commit.
 * A crash at any point either leaves both the business change and the key, or neither; so a
 * retry returns the original result or runs once. Call it inside retryOnConflict, like db.transaction.
 * A replay throws IdempotentReplay (the interceptor answers it); a later transaction of the same
 * request (after the key is stored) is a plain one.
 */
export async function idempotentTransaction<T>(
  db: DataSource,
  fn: (em: EntityManager) => Promise<T>,
  response: (result: T) => unknown = (result) => result,
): Promise<T> {
  const ctx = idempotencyContext.getStore();
  if (!ctx || ctx.stored) return db.transaction(fn);
  const started = Date.now();
  for (;;) {
    const outcome = await db.transaction(async (em) => {
      const [{ locked }] = await em.query(`SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked`, [
        `disty:idempotency:${ctx.scope}:${ctx.key}`,
      ]);
      if (!locked) return BUSY;
      const row = await findIdempotencyKey(em, ctx.scope, ctx.key);
      if (row) replayOrRefuse(row, ctx.requestHash);
      const result = await fn(em);
      const body: unknown = JSON.parse(JSON.stringify(response(result) ?? null));
      await em.query(
        `INSERT INTO idempotency_keys (scope, key, request_hash, state, response_status, response_body, locked_at, completed_at)
         VALUES ($1, $2, $3, 'DONE', $4, $5::jsonb, now(), now())`,
        [ctx.scope, ctx.key, ctx.requestHash, ctx.status, JSON.stringify(body)],
      );
      testCrashPoint('idempotency-before-commit');
      return { result, body };
    });
    if (outcome === BUSY) {
      if (Date.now() - started > WAIT_LIMIT_MS) {
        throw coreError(CoreErrorCode.Conflict, 'A request with this Idempotency-Key is still in progress');
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
      continue;
    }
    testCrashPoint('idempotency-after-commit');
    ctx.stored = { body: outcome.body };
    return outcome.result;
  }
}

/**
 * Test only (NODE_ENV=test): DISTY_TEST_CRASH=<point> kills the process with SIGKILL at that point,
 * so that the crash tests can stop the API exactly between a commit and its HTTP response.
 */
function testCrashPoint(point: 'idempotency-before-commit' | 'idempotency-after-commit'): void {
  const env = environment();
  if (env.NODE_ENV === 'test' && env.DISTY_TEST_CRASH === point) process.kill(process.pid, 'SIGKILL');
}
