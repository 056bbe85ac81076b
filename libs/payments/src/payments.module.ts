import { Global, Module } from '@nestjs/common';
import { InvoicingModule, UnappliedCash } from '#disty/invoicing';
import { LedgerModule } from '#disty/ledger';
import { OrderingModule } from '#disty/ordering';
import { PurchasingModule } from '#disty/purchasing';
import { UsageModule } from '#disty/usage';
import { ResellerModule } from '#disty/reseller';
import { WebhookModule } from '#disty/webhooks';
import { PaymentIntentsController, PaymentsController, ReconciliationController, StripeWebhookController } from './payments.controller';
import { PaymentAllocationService } from './payment-allocation.service';
import { PaymentQueryService } from './payment-query.service';
import { PaymentService } from './payment.service';
import { ReconciliationService } from './reconciliation.service';
import { RefundService } from './refund.service';
import { RefundsController } from './refunds.controller';
import { PaymentExportController } from './payment-export.controller';
import { PaymentExportService } from './payment-export.service';
import { StripeGateway } from './stripe.gateway';
import { StripeDisputeService } from './stripe-dispute.service';
import { StripePayoutService } from './stripe-payout.service';
import { StripeRefundService } from './stripe-refund.service';
import { StripeService } from './stripe.service';

/**
 * Payments (bank transfers, unapplied cash, Stripe) and the reconciliation of the ledger's control
 * accounts with the invoicing and payments subledgers. Depends on invoicing, not the reverse: it
 * provides invoicing's `UnappliedCash` port (the billing run's step that applies unapplied cash to
 * a new invoice), which is why the module is global (docs/architecture.md §3).
 */
@Global()
@Module({
  imports: [InvoicingModule, LedgerModule, OrderingModule, ResellerModule, PurchasingModule, WebhookModule, UsageModule],
  controllers: [
    PaymentsController,
    PaymentIntentsController,
    StripeWebhookController,
    ReconciliationController,
    RefundsController,
    PaymentExportController,
  ],
  providers: [
    PaymentService,
    PaymentQueryService,
    PaymentAllocationService,
    StripeGateway,
    StripeService,
    ReconciliationService,
    RefundService,
    PaymentExportService,
    StripePayoutService,
    StripeDisputeService,
    StripeRefundService,
    { provide: UnappliedCash, useExisting: PaymentService },
  ],
  exports: [PaymentService, PaymentQueryService, StripeService, ReconciliationService, RefundService, UnappliedCash],
})
export class PaymentsModule {}
