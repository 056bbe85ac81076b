import { Module } from '@nestjs/common';
import { CatalogModule } from '@disty/catalog';
import { CustomersModule } from '@disty/customers';
import { LedgerModule } from '@disty/ledger';
import { PurchasingModule } from '@disty/purchasing';
import { ResellerModule } from '@disty/reseller';
import { ConsumptionSubscriptionService } from './consumption-subscription.service';
import { ConsumptionSubscriptionsController } from './consumption-subscriptions.controller';
import { UsageBillingService } from './usage-billing.service';
import { UsageImportService } from './usage-import.service';
import { UsageImportsController } from './usage-imports.controller';
import { UsageRatingService } from './usage-rating.service';

/**
 * Cloud consumption (docs/consumption.md): consumption subscriptions, vendor usage imports,
 * rating and daily posting; the billing run takes unbilled usage through UsageBillingService.
 */
@Module({
  imports: [CatalogModule, CustomersModule, LedgerModule, PurchasingModule, ResellerModule],
  controllers: [ConsumptionSubscriptionsController, UsageImportsController],
  providers: [ConsumptionSubscriptionService, UsageImportService, UsageRatingService, UsageBillingService],
  exports: [ConsumptionSubscriptionService, UsageBillingService],
})
export class UsageModule {}
