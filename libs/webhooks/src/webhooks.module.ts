import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ResellerModule } from '#disty/reseller';
import { WEBHOOK_SETTINGS, webhookSettings } from './webhooks.config';
import { WebhookDeliveryJob } from './webhook-delivery.job';
import { WebhookJobController } from './webhook-jobs.controller';
import { WebhookController } from './webhooks.controller';
import { WebhookService } from './webhook.service';
import { systemResolver, WEBHOOK_RESOLVER } from './webhook-transport';

/**
 * Outbound webhooks: registration (POST/GET/DELETE /webhooks), the transactional outbox
 * (`webhooks`, `webhook_deliveries`) that producers write in their own transaction through
 * WebhookService.enqueue, and the signed delivery worker. Exports WebhookService only; its
 * settings (WEBHOOK_*) and errors are its own.
 */
@Module({
  imports: [ResellerModule],
  controllers: [WebhookController, WebhookJobController],
  providers: [
    { provide: WEBHOOK_SETTINGS, inject: [ConfigService], useFactory: webhookSettings },
    { provide: WEBHOOK_RESOLVER, useValue: systemResolver },
    WebhookService,
    WebhookDeliveryJob,
  ],
  exports: [WebhookService],
})
export class WebhookModule {}
