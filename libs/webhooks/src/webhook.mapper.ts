import { DeliveryView, WebhookView } from './dto/webhook.dto';
import { DeliveryRow, WebhookRow } from './webhook.sql';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function mapWebhook(r: WebhookRow): WebhookView {
  return {
    id: r.id,
    resellerId: r.reseller_id,
    url: r.url,
    events: r.events,
    active: r.active,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export function mapDelivery(r: DeliveryRow): DeliveryView {
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
