import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '#disty/core';
import { DeliveryRunResult } from './dto/webhook.dto';
import { WebhookService } from './webhook.service';

/** Runs the delivery worker's work now (what WebhookDeliveryJob does every WEBHOOK_DELIVERY_INTERVAL_MS). */
@ApiTags('jobs')
@ApiBearerAuth()
@Controller('jobs/webhooks')
export class WebhookJobController {
  constructor(private readonly webhooks: WebhookService) {}

  @Post('deliver')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ operationId: 'deliverWebhooks', summary: 'Deliver the due webhook deliveries now' })
  @ApiOkResponse({ type: DeliveryRunResult })
  deliver(): Promise<DeliveryRunResult> {
    return this.webhooks.deliverDue();
  }
}
