import { Module } from '@nestjs/common';
import { CatalogModule } from '#disty/catalog';
import { CreditExposureModule } from '#disty/credit-exposure';
import { CustomersModule } from '#disty/customers';
import { LedgerModule } from '#disty/ledger';
import { PurchasingModule } from '#disty/purchasing';
import { ResellerModule } from '#disty/reseller';
import { WebhookModule } from '#disty/webhooks';
// Budgets, forecasts and the follow-up of imports (docs/consumption.md §7, §8).
import { ConsumptionBudgetService } from './consumption-budget.service';
import { ConsumptionBudgetsController } from './consumption-budgets.controller';
import { UsageImportFlowService } from './usage-import-flow.service';
import { UsageCostService } from './usage-cost.service';
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
  imports: [CatalogModule, CustomersModule, LedgerModule, PurchasingModule, ResellerModule, WebhookModule, CreditExposureModule],
  controllers: [ConsumptionSubscriptionsController, UsageImportsController, ConsumptionBudgetsController],
  providers: [
    ConsumptionSubscriptionService,
    UsageImportService,
    UsageRatingService,
    UsageBillingService,
    ConsumptionBudgetService,
    UsageImportFlowService,
    UsageCostService,
  ],
  exports: [ConsumptionSubscriptionService, UsageBillingService, UsageImportFlowService, UsageCostService],
})
export class UsageModule {}
