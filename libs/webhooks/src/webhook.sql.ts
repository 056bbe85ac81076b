import { WEBHOOK_EVENTS, WebhookEvent } from './webhook-events';

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
