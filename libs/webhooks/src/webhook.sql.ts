import { preparedStatement } from '#disty/core';
import { DeliveryStatus, WEBHOOK_EVENTS, WebhookEvent } from './webhook-events';

/**
 * The webhooks module's SQL and row types, in one place: the only code that names the `webhooks`
 * and `webhook_deliveries` tables (created in migrations/1764000006000-RenewalAlerts.ts).
 */

export interface WebhookRow {
  id: string;
  reseller_id: string;
  url: string;
  events: WebhookEvent[];
  active: boolean;
  created_at: Date;
}

export interface DeliveryRow {
  id: string;
  webhook_id: string;
  event: WebhookEvent;
  event_id: string;
  payload: Record<string, unknown>;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_response_status: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
}

export interface ClaimedRow {
  id: string;
  event: WebhookEvent;
  event_id: string;
  payload: Record<string, unknown>;
  attempts: number;
  created_at: Date;
  url: string;
  secret: string;
}

/**
 * One delivery of event $2 (payload $3) per active webhook of reseller $1 subscribed to it.
 * Prepared: a billing run queues one per invoice (docs/performance.md, "Billing run").
 */
export const ENQUEUE = preparedStatement(
  'webhooks.enqueue',
  `INSERT INTO webhook_deliveries (webhook_id, reseller_id, event, payload)
   SELECT w.id, w.reseller_id, $2, $3::jsonb FROM webhooks w
    WHERE w.reseller_id = $1 AND w.active AND $2 = ANY (w.events)
   RETURNING id`,
);

/** Registers a webhook: $1 reseller, $2 url, $3 events, $4 secret, $5 created by. */
export const INSERT_WEBHOOK_SQL = `
  INSERT INTO webhooks (reseller_id, url, events, secret, created_by) VALUES ($1, $2, $3::text[], $4, $5)
  RETURNING id, reseller_id, url, events, active, created_at`;

/** Active webhooks, of reseller $1 or (NULL) of all. */
export const COUNT_WEBHOOKS_SQL = `
  SELECT count(*)::int AS total FROM webhooks WHERE active AND ($1::uuid IS NULL OR reseller_id = $1::uuid)`;

/** Soft-deletes webhook $1 (its delivery history stays). */
export const DEACTIVATE_WEBHOOK_SQL = `
  UPDATE webhooks SET active = false, deleted_at = now() WHERE id = $1`;

/** Gives up the pending deliveries of deleted webhook $1. */
export const FAIL_PENDING_OF_WEBHOOK_SQL = `
  UPDATE webhook_deliveries SET status = 'FAILED', last_error = 'webhook deleted'
   WHERE webhook_id = $1 AND status = 'PENDING'`;

/** Deliveries of webhook $1, optionally in status $2. */
export const COUNT_DELIVERIES_SQL = `
  SELECT count(*)::int AS total FROM webhook_deliveries WHERE webhook_id = $1 AND ($2::text IS NULL OR status = $2)`;

/**
 * Deliveries whose last attempt ($2 = max attempts) was leased before $1 and never recorded: FAILED.
 * (UPDATEs are wrapped in a CTE so the driver returns their rows as a plain SELECT would.)
 */
export const FAIL_ABANDONED_SQL = `
  WITH u AS (
    UPDATE webhook_deliveries SET status = 'FAILED', last_error = COALESCE(last_error, 'no response recorded')
     WHERE status = 'PENDING' AND attempts >= $2 AND next_attempt_at <= $1 RETURNING id)
  SELECT id FROM u`;

/**
 * Claims up to $2 deliveries due at $1 with fewer than $3 attempts (SKIP LOCKED: each row to one
 * worker) and leases them for $4 seconds.
 */
export const CLAIM_SQL = `
  WITH due AS (
    SELECT d.id FROM webhook_deliveries d
     WHERE d.status = 'PENDING' AND d.next_attempt_at <= $1 AND d.attempts < $3
     ORDER BY d.next_attempt_at, d.id
     LIMIT $2
     FOR UPDATE SKIP LOCKED),
  claimed AS (
    UPDATE webhook_deliveries d
       SET attempts = d.attempts + 1, last_attempt_at = $1, next_attempt_at = $1::timestamptz + make_interval(secs => $4)
      FROM due, webhooks w
     WHERE d.id = due.id AND w.id = d.webhook_id
    RETURNING d.id, d.event, d.event_id, d.payload, d.attempts, d.created_at, w.url, w.secret)
  SELECT * FROM claimed`;

/**
 * Records each attempt (unnest of $1 ids, $2 attempts, $3 ok, $4 HTTP statuses, $5 errors, $8 retry
 * delays; $6 now, $7 max attempts); only the claim that made the attempt may record it (attempts
 * unchanged since the claim).
 */
export const RECORD_SQL = `
  WITH u AS (
    UPDATE webhook_deliveries d
       SET status = CASE WHEN r.ok THEN 'DELIVERED' WHEN d.attempts >= $7 THEN 'FAILED' ELSE 'PENDING' END,
           delivered_at = CASE WHEN r.ok THEN $6::timestamptz END,
           next_attempt_at = CASE WHEN r.ok OR d.attempts >= $7 THEN d.next_attempt_at
                                  ELSE $6::timestamptz + make_interval(secs => r.delay) END,
           last_response_status = r.status, last_error = r.error
      FROM unnest($1::uuid[], $2::int[], $3::bool[], $4::int[], $5::text[], $8::float8[]) AS r(id, attempt, ok, status, error, delay)
     WHERE d.id = r.id AND d.status = 'PENDING' AND d.attempts = r.attempt
    RETURNING d.status)
  SELECT status FROM u`;

/** Active webhooks of reseller $1 (NULL: all), one page. */
export const listWebhooksSql = (q: { page: number; pageSize: number }) => `
  SELECT id, reseller_id, url, events, active, created_at FROM webhooks
   WHERE active AND ($1::uuid IS NULL OR reseller_id = $1::uuid)
   ORDER BY created_at, id LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`;

/** Deliveries of webhook $1, optionally in status $2, newest first, one page. */
export const listDeliveriesSql = (q: { page: number; pageSize: number }) => `
  SELECT id, webhook_id, event, event_id, payload, status, attempts, next_attempt_at, last_attempt_at,
         last_response_status, last_error, delivered_at, created_at
    FROM webhook_deliveries WHERE webhook_id = $1 AND ($2::text IS NULL OR status = $2)
   ORDER BY created_at DESC, id LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`;

/** Webhook $1 within reseller scope $2 (NULL: any), locked when `lock`. */
export const findWebhookSql = (lock: boolean) => `
  SELECT id, reseller_id, url, events, active, created_at FROM webhooks
   WHERE id = $1 AND ($2::uuid IS NULL OR reseller_id = $2::uuid) ${lock ? 'FOR UPDATE' : ''}`;

/**
 * The outbox insert a producer embeds in its own set-based statement as a data-modifying CTE, so
 * the deliveries commit with what the statement wrote (the renewal scan does; single events go
 * through WebhookService.enqueue instead): one PENDING delivery of `event` per row of `source` (a
 * relation of the caller's statement with `reseller_id uuid` and `payload jsonb`) per active
 * webhook of that reseller subscribed to the event. Returns one row per delivery queued.
 */
export function outboxInsertSql(source: string, event: WebhookEvent): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(source)) throw new Error(`Not a relation name: ${source}`);
  if (!WEBHOOK_EVENTS.includes(event)) throw new Error(`Unknown webhook event ${event}`);
  return `INSERT INTO webhook_deliveries (webhook_id, reseller_id, event, payload)
  SELECT wh.id, s.reseller_id, '${event}', s.payload
    FROM ${source} s
    JOIN webhooks wh ON wh.reseller_id = s.reseller_id AND wh.active AND '${event}' = ANY (wh.events)
  RETURNING 1`;
}
