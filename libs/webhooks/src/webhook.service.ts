import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { notFound, page, Page, ProblemError, queryPrepared, validationError } from '#disty/core';
import { ResellerService } from '#disty/reseller';
import { webhookError, WebhookErrorCode } from './errors';
import { WEBHOOK_SETTINGS, WebhookSettings } from './webhooks.config';
import { isExhausted, nextAttemptDelaySeconds } from './domain/backoff';
import { newWebhookSecret, SIGNATURE_HEADER, signatureHeader } from './domain/signature';
import { isPrivateHost } from './domain/url-policy';
import { AddressRefusedError, postPinned, WEBHOOK_RESOLVER, WebhookResolver } from './webhook-transport';
import { CreatedWebhookView, DeliveryRunResult, DeliveryView, WebhookView } from './dto/webhook.dto';
import { mapDelivery, mapWebhook } from './webhook.mapper';
import {
  CLAIM_SQL,
  ClaimedRow,
  COUNT_DELIVERIES_SQL,
  COUNT_WEBHOOKS_SQL,
  DEACTIVATE_WEBHOOK_SQL,
  DeliveryRow,
  ENQUEUE,
  FAIL_ABANDONED_SQL,
  FAIL_PENDING_OF_WEBHOOK_SQL,
  findWebhookSql,
  INSERT_WEBHOOK_SQL,
  listDeliveriesSql,
  listWebhooksSql,
  RECORD_SQL,
  WebhookRow,
} from './webhook.sql';
import { DeliveryStatus, WEBHOOK_EVENTS, WebhookEvent } from './webhook-events';

interface AttemptResult {
  id: string;
  attempt: number;
  ok: boolean;
  status: number | null;
  error: string | null;
}

const MAX_BATCHES_PER_RUN = 20;

/**
 * Outbound webhooks through a transactional outbox: producers insert delivery rows in their own
 * transaction (`enqueue`, or `outboxInsertSql` inside their own statement as the renewal scan
 * does); `deliverDue` claims due rows with FOR UPDATE SKIP LOCKED (any number of workers, each
 * row to one of them), posts them signed outside any transaction, and records the outcome:
 * DELIVERED, a retry after exponential backoff, or FAILED after the last attempt. A claim leases
 * the row (its next attempt moves past the timeout), so a worker that dies mid-delivery only
 * delays that delivery. Its SQL is in webhook.sql.ts.
 */
@Injectable()
export class WebhookService {
  private readonly logger = new Logger('WebhookService');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
    private readonly resellers: ResellerService,
    @Inject(WEBHOOK_RESOLVER) private readonly resolve: WebhookResolver,
  ) {}

  // ---------------------------------------------------------------- producers

  /**
   * Queues `event` with `payload` for every active webhook of the reseller subscribed to it, in
   * the caller's transaction (so the event is sent if and only if the caller commits). Returns the
   * number of deliveries queued. Never waits on delivery.
   */
  async enqueue(em: EntityManager, resellerId: string, event: WebhookEvent, payload: Record<string, unknown>): Promise<number> {
    if (!WEBHOOK_EVENTS.includes(event)) throw new Error(`Unknown webhook event ${event}`);
    const rows = await queryPrepared(em, ENQUEUE, [resellerId, event, JSON.stringify(payload)]);
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
    const [row]: WebhookRow[] = await this.db.query(INSERT_WEBHOOK_SQL, [
      input.resellerId,
      input.url,
      [...new Set(input.events)],
      secret,
      input.createdBy,
    ]);
    return { ...mapWebhook(row), secret };
  }

  async list(scope: string | null, q: { page: number; pageSize: number }): Promise<Page<WebhookView>> {
    const [{ total }]: Array<{ total: number }> = await this.db.query(COUNT_WEBHOOKS_SQL, [scope]);
    const rows: WebhookRow[] = await this.db.query(listWebhooksSql(q), [scope]);
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
      await em.query(DEACTIVATE_WEBHOOK_SQL, [id]);
      await em.query(FAIL_PENDING_OF_WEBHOOK_SQL, [id]);
    });
  }

  async deliveries(
    id: string,
    scope: string | null,
    q: { page: number; pageSize: number; status?: DeliveryStatus },
  ): Promise<Page<DeliveryView>> {
    await this.findRow(this.db.manager, id, scope);
    const [{ total }]: Array<{ total: number }> = await this.db.query(COUNT_DELIVERIES_SQL, [id, q.status ?? null]);
    const rows: DeliveryRow[] = await this.db.query(listDeliveriesSql(q), [id, q.status ?? null]);
    return page(rows.map(mapDelivery), total, q);
  }

  /** The outbox's backlog (docs/operations.md §12): deliveries pending, and those of them due now. */
  async backlog(now: Date = new Date()): Promise<{ pending: number; due: number }> {
    const [row]: Array<{ pending: number; due: number }> = await this.db.query(
      `SELECT count(*)::int AS pending, count(*) FILTER (WHERE next_attempt_at <= $1)::int AS due
         FROM webhook_deliveries WHERE status = 'PENDING'`,
      [now],
    );
    return row;
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
    const abandoned: unknown[] = await this.db.query(FAIL_ABANDONED_SQL, [now, this.settings.maxAttempts]);
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
    return this.db.query(CLAIM_SQL, [now, this.settings.batchSize, this.settings.maxAttempts, leaseSeconds]);
  }

  /**
   * One signed POST to the address checked now (webhook-transport.ts, docs/security.md "Webhook
   * SSRF"); any 2xx is success, anything else (3xx included, or a refused address) a failed attempt.
   */
  private async attempt(c: ClaimedRow, now: Date): Promise<AttemptResult> {
    const body = JSON.stringify({
      id: c.event_id,
      type: c.event,
      createdAt: new Date(c.created_at).toISOString(),
      data: c.payload,
    });
    const timestamp = Math.floor(now.getTime() / 1000);
    try {
      const res = await postPinned(new URL(c.url), {
        timeoutMs: this.settings.timeoutMs,
        resolve: this.resolve,
        allowPrivate: this.settings.allowPrivateUrls,
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
      const ok = res.status >= 200 && res.status < 300;
      return {
        id: c.id,
        attempt: c.attempts,
        ok,
        status: res.status,
        error: ok ? null : `HTTP ${res.status}`,
      };
    } catch (e) {
      const err = e as { name?: string; code?: string; message?: string };
      const reason =
        err.name === 'TimeoutError'
          ? `timeout after ${this.settings.timeoutMs} ms`
          : e instanceof AddressRefusedError
            ? err.message
            : (err.code ?? err.message ?? 'request failed');
      return { id: c.id, attempt: c.attempts, ok: false, status: null, error: String(reason).slice(0, 500) };
    }
  }

  private async record(outcomes: AttemptResult[], now: Date): Promise<{ delivered: number; retrying: number; failed: number }> {
    const max = this.settings.maxAttempts;
    const delays = outcomes.map((o) =>
      o.ok || isExhausted(o.attempt, max) ? 0 : nextAttemptDelaySeconds(o.attempt, this.settings.backoffBaseSeconds),
    );
    const rows: Array<{ status: DeliveryStatus }> = await this.db.query(RECORD_SQL, [
      outcomes.map((o) => o.id),
      outcomes.map((o) => o.attempt),
      outcomes.map((o) => o.ok),
      outcomes.map((o) => o.status),
      outcomes.map((o) => o.error),
      now,
      max,
      delays,
    ]);
    const count = (s: DeliveryStatus) => rows.filter((r) => r.status === s).length;
    const summary = { delivered: count('DELIVERED'), retrying: count('PENDING'), failed: count('FAILED') };
    if (summary.failed) this.logger.warn(summary, 'webhook deliveries given up');
    return summary;
  }

  private async findRow(em: EntityManager, id: string, scope: string | null, lock = false): Promise<WebhookRow> {
    const rows: WebhookRow[] = await em.query(findWebhookSql(lock), [id, scope]);
    if (!rows.length) throw notFound(`Webhook ${id}`);
    return rows[0];
  }

  /** The reseller a webhook request acts for: the caller's own, or (distributor staff) the named one. */
  static resellerFor(actor: { resellerId: string | null }, requested?: string): string {
    if (actor.resellerId) {
      if (requested && requested !== actor.resellerId) throw notFound(`Reseller ${requested}`);
      return actor.resellerId;
    }
    if (!requested)
      throw validationError('resellerId is required for distributor staff', [{ field: 'resellerId', message: 'resellerId is required' }]);
    return requested;
  }
}
