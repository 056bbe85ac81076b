import { Global, Module } from '@nestjs/common';
import { CatalogModule } from '#disty/catalog';
import { CustomersModule } from '#disty/customers';
import { EndCustomerBilling, InvoicingModule } from '#disty/invoicing';
import { LedgerModule } from '#disty/ledger';
import { OnBehalfCollections } from '#disty/payments';
import { ResellerModule } from '#disty/reseller';
import { WebhookModule } from '#disty/webhooks';
import { BillingProfileService } from './billing-profile.service';
import { CardIntentService } from './card-intent.service';
import { CollectionService } from './collection.service';
import { CollectionsController, SettlementsController } from './collections.controller';
import { EndCustomerInvoiceService } from './end-customer-invoice.service';
import { EndCustomerInvoicesController } from './end-customer-invoices.controller';
import { ResaleReportService } from './resale-report.service';
import { ResaleReportsController } from './resale-reports.controller';
import { EndCustomerPricesController, PriceRulesController, ResellerBillingController } from './reseller-billing.controller';
import { SettlementService } from './settlement.service';

/**
 * Billing resellers' end customers on their behalf (docs/billing-on-behalf.md): price lists,
 * end-customer invoices, collection, settlement and remittances. Provides invoicing's
 * `EndCustomerBilling` step and payments' `OnBehalfCollections` port (it depends on both, not the
 * reverse), which is why the module is global (docs/architecture.md §3). PaymentService comes from
 * the global PaymentsModule.
 */
@Global()
@Module({
  imports: [CatalogModule, CustomersModule, InvoicingModule, LedgerModule, ResellerModule, WebhookModule],
  controllers: [
    ResellerBillingController,
    PriceRulesController,
    EndCustomerPricesController,
    EndCustomerInvoicesController,
    CollectionsController,
    SettlementsController,
    ResaleReportsController,
  ],
  providers: [
    BillingProfileService,
    EndCustomerInvoiceService,
    CollectionService,
    SettlementService,
    ResaleReportService,
    CardIntentService,
    { provide: EndCustomerBilling, useExisting: EndCustomerInvoiceService },
    { provide: OnBehalfCollections, useExisting: CollectionService },
  ],
  exports: [
    BillingProfileService,
    EndCustomerInvoiceService,
    CollectionService,
    SettlementService,
    EndCustomerBilling,
    OnBehalfCollections,
  ],
})
export class ResellerBillingModule {}
