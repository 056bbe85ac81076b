import { Module } from '@nestjs/common';
import { ResellerModule } from '#disty/reseller';
import { WebhookModule } from '#disty/webhooks';
import { CreditExposureController } from './credit-exposure.controller';
import { CreditExposureService } from './credit-exposure.service';

/**
 * Credit exposure of the CLOUD line (docs/consumption.md §7): reads unbilled usage from the usage
 * module's read contract (`usage_unbilled`), so usage, invoicing and payments can call it.
 */
@Module({
  imports: [ResellerModule, WebhookModule],
  controllers: [CreditExposureController],
  providers: [CreditExposureService],
  exports: [CreditExposureService],
})
export class CreditExposureModule {}
