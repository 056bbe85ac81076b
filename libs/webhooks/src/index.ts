export * from './webhooks.module';
export * from './webhook.service';
export * from './webhook-events';
export * from './errors';
export { outboxInsertSql } from './webhook.sql';
export * from './domain/signature';
export * from './domain/backoff';
export type { WebhookSettings } from './webhooks.config';
export type { WebhookView, DeliveryView, DeliveryRunResult } from './dto/webhook.dto';
