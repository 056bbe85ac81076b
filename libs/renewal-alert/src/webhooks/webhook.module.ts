import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ResellerModule } from '@disty/reseller';
import { WEBHOOK_SETTINGS, webhookSettings } from '../renewal-alert.config';
import { WebhookDeliveryJob } from './webhook-delivery.job';
import { WebhookController, WebhookJobController } from './webhook.controller';
import { WebhookService } from './webhook.service';

/** Outbound webhooks (registration, transactional outbox, signed delivery). Exports WebhookService. */
@Module({
  imports: [ResellerModule],
  controllers: [WebhookController, WebhookJobController],
  providers: [
    { provide: WEBHOOK_SETTINGS, inject: [ConfigService], useFactory: webhookSettings },
    WebhookService,
    WebhookDeliveryJob,
  ],
  exports: [WebhookService],
})
export class WebhookModule {}
