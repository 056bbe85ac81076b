import { Module } from '@nestjs/common';
import { CatalogModule } from '#disty/catalog';
import { CustomersModule } from '#disty/customers';
import { LedgerModule } from '#disty/ledger';
import { PurchasingModule } from '#disty/purchasing';
import { ResellerModule } from '#disty/reseller';
import { SubscriptionModule } from '#disty/subscription';
import { TaxModule } from '#disty/tax';
import { OrderFulfilmentService } from './order-fulfilment.service';
import { OrderLineBillingService } from './order-line-billing.service';
import { OrderQueryService } from './order-query.service';
import { OrderingService } from './ordering.service';
import { OrdersController } from './orders.controller';
import { ShippedNotInvoicedCheck } from './shipped-not-invoiced.check';

/** Orders: priced from the catalog, provisioned through subscriptions, reserved on the reseller's credit lines. */
@Module({
  imports: [CatalogModule, CustomersModule, LedgerModule, PurchasingModule, ResellerModule, SubscriptionModule, TaxModule],
  controllers: [OrdersController],
  providers: [OrderingService, OrderQueryService, OrderLineBillingService, OrderFulfilmentService, ShippedNotInvoicedCheck],
  exports: [OrderingService, OrderLineBillingService],
})
export class OrderingModule {}
