import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { notFound, page, Page, ProblemError, validationError } from '@disty/core';
import { ResellerService } from '@disty/reseller';
import { webhookError, WebhookErrorCode } from './errors';
import { WEBHOOK_SETTINGS, WebhookSettings } from './webhooks.config';
import { isExhausted, nextAttemptDelaySeconds } from './domain/backoff';
import { newWebhookSecret, SIGNATURE_HEADER, signatureHeader } from './domain/signature';
import { isPrivateHost } from './domain/url-policy';
import { CreatedWebhookView, DeliveryRunResult, DeliveryView, WebhookView } from './dto/webhook.dto';
import { DeliveryStatus, WEBHOOK_EVENTS, WebhookEvent } from './webhook-events';

interface WebhookRow {
  id: string;
  reseller_id: string;
  url: string;
  events: WebhookEvent[];
  active: boolean;
  created_at: Date;
}

interface DeliveryRow {
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

interface ClaimedRow {
  id: string;
  event: WebhookEvent;
  event_id: string;
  payload: Record<string, unknown>;
  attempts: number;
  created_at: Date;
  url: string;
  secret: string;
}

interface AttemptResult {
  id: string;
  attempt: number;
  ok: boolean;
  status: number | null;
  error: string | null;
}

const MAX_BATCHES_PER_RUN = 20;

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/**
 * Outbound webhooks through a transactional outbox: producers insert delivery rows in their own
 * transaction (`enqueue`, or the renewal scan's statement); `deliverDue` claims due rows with
 * FOR UPDATE SKIP LOCKED (any number of workers, each row to one of them), posts them signed
 * outside any transaction, and records the outcome: DELIVERED, a retry after exponential
 * backoff, or FAILED after the last attempt. A claim leases the row (its next attempt moves past
 * the timeout), so a worker that dies mid-delivery only delays that delivery.
 */
@Injectable()
export class WebhookService {
  private readonly logger = new Logger('WebhookService');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
    private readonly resellers: ResellerService,
  ) {}

  // ---------------------------------------------------------------- producers

  /**
   * Queues `event` with `payload` for every active webhook of the reseller subscribed to it, in
   * the caller's transaction (so the event is sent if and only if the caller commits). Returns the
   * number of deliveries queued. Never waits on delivery.
   */
  async enqueue(em: EntityManager, resellerId: string, event: WebhookEvent, payload: Record<string, unknown>): Promise<number> {
    if (!WEBHOOK_EVENTS.includes(event)) throw new Error(`Unknown webhook event ${event}`);
    const rows: unknown[] = await em.query(
      `INSERT INTO webhook_deliveries (webhook_id, reseller_id, event, payload)
       SELECT w.id, w.reseller_id, $2, $3::jsonb FROM webhooks w
        WHERE w.reseller_id = $1 AND w.active AND $2 = ANY (w.events)
       RETURNING id`,
      [resellerId, event, JSON.stringify(payload)],
    );
    return rows.length;
  }

  // ---------------------------------------------------------------- registration

  async create(input: { resellerId: string; url: string; events: WebhookEvent[]; createdBy: string }): Promise<CreatedWebhookView> {
    if (!this.settings.allowPrivateUrls && isPrivateHost(input.url)) {
      throw webhookError(WebhookErrorCode.UrlNotAllowed, `${input.url} points at a private or local address`);
    }
    try {
      await this.resellers.getReseller(input.resellerId);
    } catch (e) {
      if (e instanceof ProblemError && e.status === 404) {
        throw webhookError(WebhookErrorCode.UnknownReseller, `Reseller ${input.resellerId} was not found`);
      }
      throw e;
    }
    const secret = newWebhookSecret();
    const [row]: WebhookRow[] = await this.db.query(
      `INSERT INTO webhooks (reseller_id, url, events, secret, created_by) VALUES ($1, $2, $3::text[], $4, $5)
       RETURNING id, reseller_id, url, events, active, created_at`,
      [input.resellerId, input.url, [...new Set(input.events)], secret, input.createdBy],
    );
    return { ...mapWebhook(row), secret };
  }

  async list(scope: string | null, q: { page: number; pageSize: number }): Promise<Page<WebhookView>> {
    const [{ total }]: Array<{ total: number }> = await this.db.query(
      `SELECT count(*)::int AS total FROM webhooks WHERE active AND ($1::uuid IS NULL OR reseller_id = $1::uuid)`,
      [scope],
    );
    const rows: WebhookRow[] = await this.db.query(
      `SELECT id, reseller_id, url, events, active, created_at FROM webhooks
        WHERE active AND ($1::uuid IS NULL OR reseller_id = $1::uuid)
        ORDER BY created_at, id LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      [scope],
    );
    return page(rows.map(mapWebhook), total, q);
  }

  async get(id: string, scope: string | null): Promise<WebhookView> {
    return mapWebhook(await this.findRow(this.db.manager, id, scope));
  }

  /** Deactivates the webhook; its pending deliveries end FAILED (their history stays visible). */
  async remove(id: string, scope: string | null): Promise<void> {
    await this.db.transaction(async (em) => {
      const row = await this.findRow(em, id, scope, true);
      if (!row.active) throw notFound(`Webhook ${id}`);
      await em.query(`UPDATE webhooks SET active = false, deleted_at = now() WHERE id = $1`, [id]);
      await em.query(
        `UPDATE webhook_deliveries SET status = 'FAILED', last_error = 'webhook deleted'
          WHERE webhook_id = $1 AND status = 'PENDING'`,
        [id],
      );
    });
  }

  async deliveries(id: string, scope: string | null, q: { page: number; pageSize: number; status?: DeliveryStatus }): Promise<Page<DeliveryView>> {
    await this.findRow(this.db.manager, id, scope);
    const [{ total }]: Array<{ total: number }> = await this.db.query(
      `SELECT count(*)::int AS total FROM webhook_deliveries WHERE webhook_id = $1 AND ($2::text IS NULL OR status = $2)`,
      [id, q.status ?? null],
    );
    const rows: DeliveryRow[] = await this.db.query(
      `SELECT id, webhook_id, event, event_id, payload, status, attempts, next_attempt_at, last_attempt_at,
              last_response_status, last_error, delivered_at, created_at
         FROM webhook_deliveries WHERE webhook_id = $1 AND ($2::text IS NULL OR status = $2)
        ORDER BY created_at DESC, id LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      [id, q.status ?? null],
    );
    return page(rows.map(mapDelivery), total, q);
  }

  // ---------------------------------------------------------------- delivery

  /**
   * Delivers what is due at `now` (default: the clock), batch by batch, until nothing is due or
   * the run's bound is reached. Safe to run from any number of instances at once.
   */
  async deliverDue(opts: { now?: Date } = {}): Promise<DeliveryRunResult> {
    const result: DeliveryRunResult = { claimed: 0, delivered: 0, retrying: 0, failed: 0 };
    const now = opts.now ?? new Date();
    // A worker that died during a final attempt leaves its lease behind: give those up.
    // (UPDATEs are wrapped in a CTE so the driver returns their rows as a plain SELECT would.)
    const abandoned: unknown[] = await this.db.query(
      `WITH u AS (
         UPDATE webhook_deliveries SET status = 'FAILED', last_error = COALESCE(last_error, 'no response recorded')
          WHERE status = 'PENDING' AND attempts >= $2 AND next_attempt_at <= $1 RETURNING id)
       SELECT id FROM u`,
      [now, this.settings.maxAttempts],
    );
    result.failed += abandoned.length;
    for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
      const claimed = await this.claim(now);
      if (!claimed.length) break;
      result.claimed += claimed.length;
      const outcomes = await Promise.all(claimed.map((c) => this.attempt(c, now)));
      const recorded = await this.record(outcomes, now);
      result.delivered += recorded.delivered;
      result.retrying += recorded.retrying;
      result.failed += recorded.failed;
      if (claimed.length < this.settings.batchSize) break;
    }
    return result;
  }

  private async claim(now: Date): Promise<ClaimedRow[]> {
    const leaseSeconds = this.settings.timeoutMs / 1000 + 60;
    return this.db.query(
      `WITH due AS (
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
       SELECT * FROM claimed`,
      [now, this.settings.batchSize, this.settings.maxAttempts, leaseSeconds],
    );
  }

  /** One signed POST; any 2xx is success, anything else (3xx included) a failed attempt. */
  private async attempt(c: ClaimedRow, now: Date): Promise<AttemptResult> {
    const body = JSON.stringify({ id: c.event_id, type: c.event, createdAt: new Date(c.created_at).toISOString(), data: c.payload });
    const timestamp = Math.floor(now.getTime() / 1000);
    try {
      const res = await fetch(c.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.settings.timeoutMs),
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Disty-Webhooks/1',
          'Disty-Event': c.event,
          'Disty-Event-Id': c.event_id,
          'Disty-Delivery-Id': c.id,
          [SIGNATURE_HEADER]: signatureHeader(c.secret, timestamp, body),
        },
        body,
      });
      await res.body?.cancel().catch(() => undefined);
      const ok = res.status >= 200 && res.status < 300;
      return { id: c.id, attempt: c.attempts, ok, status: res.status, error: ok ? null : `HTTP ${res.status}` };
    } catch (e) {
      const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
      const reason = err.name === 'TimeoutError' ? `timeout after ${this.settings.timeoutMs} ms` : err.cause?.code ?? err.cause?.message ?? err.message ?? 'request failed';
      return { id: c.id, attempt: c.attempts, ok: false, status: null, error: String(reason).slice(0, 500) };
    }
  }

  private async record(outcomes: AttemptResult[], now: Date): Promise<{ delivered: number; retrying: number; failed: number }> {
    const max = this.settings.maxAttempts;
    const delays = outcomes.map((o) => (o.ok || isExhausted(o.attempt, max) ? 0 : nextAttemptDelaySeconds(o.attempt, this.settings.backoffBaseSeconds)));
    // Only the claim that made this attempt may record it (attempts unchanged since the claim).
    const rows: Array<{ status: DeliveryStatus }> = await this.db.query(
      `WITH u AS (
       UPDATE webhook_deliveries d
          SET status = CASE WHEN r.ok THEN 'DELIVERED' WHEN d.attempts >= $7 THEN 'FAILED' ELSE 'PENDING' END,
              delivered_at = CASE WHEN r.ok THEN $6::timestamptz END,
              next_attempt_at = CASE WHEN r.ok OR d.attempts >= $7 THEN d.next_attempt_at
                                     ELSE $6::timestamptz + make_interval(secs => r.delay) END,
              last_response_status = r.status, last_error = r.error
         FROM unnest($1::uuid[], $2::int[], $3::bool[], $4::int[], $5::text[], $8::float8[]) AS r(id, attempt, ok, status, error, delay)
        WHERE d.id = r.id AND d.status = 'PENDING' AND d.attempts = r.attempt
       RETURNING d.status)
       SELECT status FROM u`,
      [
        outcomes.map((o) => o.id), outcomes.map((o) => o.attempt), outcomes.map((o) => o.ok), outcomes.map((o) => o.status),
        outcomes.map((o) => o.error), now, max, delays,
      ],
    );
    const count = (s: DeliveryStatus) => rows.filter((r) => r.status === s).length;
    const summary = { delivered: count('DELIVERED'), retrying: count('PENDING'), failed: count('FAILED') };
    if (summary.failed) this.logger.warn(summary, 'webhook deliveries given up');
    return summary;
  }

  private async findRow(em: EntityManager, id: string, scope: string | null, lock = false): Promise<WebhookRow> {
    const rows: WebhookRow[] = await em.query(
      `SELECT id, reseller_id, url, events, active, created_at FROM webhooks
        WHERE id = $1 AND ($2::uuid IS NULL OR reseller_id = $2::uuid) ${lock ? 'FOR UPDATE' : ''}`,
      [id, scope],
    );
    if (!rows.length) throw notFound(`Webhook ${id}`);
    return rows[0];
  }

  /** The reseller a webhook request acts for: the caller's own, or (distributor staff) the named one. */
  static resellerFor(actor: { resellerId: string | null }, requested?: string): string {
    if (actor.resellerId) {
      if (requested && requested !== actor.resellerId) throw notFound(`Reseller ${requested}`);
      return actor.resellerId;
    }
    if (!requested) throw validationError('resellerId is required for distributor staff', [{ field: 'resellerId', message: 'resellerId is required' }]);
    return requested;
  }
}

function mapWebhook(r: WebhookRow): WebhookView {
  return { id: r.id, resellerId: r.reseller_id, url: r.url, events: r.events, active: r.active, createdAt: new Date(r.created_at).toISOString() };
}

function mapDelivery(r: DeliveryRow): DeliveryView {
  return {
    id: r.id,
    webhookId: r.webhook_id,
    event: r.event,
    eventId: r.event_id,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.status === 'PENDING' ? iso(r.next_attempt_at) : null,
    lastAttemptAt: iso(r.last_attempt_at),
    lastResponseStatus: r.last_response_status,
    lastError: r.last_error,
    deliveredAt: iso(r.delivered_at),
    createdAt: new Date(r.created_at).toISOString(),
    payload: r.payload,
  };
}
