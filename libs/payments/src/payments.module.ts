import { Module } from '@nestjs/common';
import { InvoicingModule } from '@disty/invoicing';
import { LedgerModule } from '@disty/ledger';
import { ResellerModule } from '@disty/reseller';
import {
  PaymentIntentsController, PaymentsController, ReconciliationController, StripeWebhookController,
} from './payments.controller';
import { PaymentService } from './payment.service';
import { ReconciliationService } from './reconciliation.service';
import { StripeGateway } from './stripe.gateway';
import { StripeService } from './stripe.service';

/**
 * Payments (bank transfers, unapplied cash, Stripe) and the reconciliation of the ledger's control
 * accounts with the invoicing and payments subledgers. Depends on invoicing (not the reverse: it
 * registers its issue hook with InvoiceService).
 */
@Module({
  imports: [InvoicingModule, LedgerModule, ResellerModule],
  controllers: [PaymentsController, PaymentIntentsController, StripeWebhookController, ReconciliationController],
  providers: [PaymentService, StripeGateway, StripeService, ReconciliationService],
  exports: [PaymentService, StripeService, ReconciliationService],
})
export class PaymentsModule {}
