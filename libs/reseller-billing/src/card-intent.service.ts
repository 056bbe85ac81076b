import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Actor, Currency, Dec, moneyString, tenantScope } from '#disty/core';
import { StripeService } from '#disty/payments';
import { CollectionService } from './collection.service';
import { CollectionIntentView } from './dto/end-customer-invoice.dto';
import { EndCustomerInvoiceService } from './end-customer-invoice.service';
import { resellerBillingError, ResellerBillingErrorCode } from './errors';

/**
 * Card collection on a reseller's behalf (docs/billing-on-behalf.md): a PaymentIntent on the
 * distributor's Stripe account for what an end-customer invoice has due, its metadata naming the
 * reseller and the invoice, so that payments' Stripe webhook hands `payment_intent.succeeded` to
 * CollectionService. Kept apart from CollectionService, which payments' StripeService depends on.
 */
@Injectable()
export class CardIntentService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly invoices: EndCustomerInvoiceService,
    private readonly collections: CollectionService,
    private readonly stripe: StripeService,
  ) {}

  async create(invoiceId: string, actor: Actor): Promise<CollectionIntentView> {
    const inv = await this.invoices.head(this.db.manager, invoiceId, tenantScope(actor));
    await this.collections.assertCollectable(inv);
    const c = inv.currency.trim() as Currency;
    const due = new Dec(inv.gross).minus(inv.paid);
    if (!due.gt(0)) throw resellerBillingError(ResellerBillingErrorCode.OverCollection, `Invoice ${inv.number} has nothing due`);
    const intent = await this.stripe.createCollectionIntent({
      amount: due,
      currency: c,
      description: `Invoice ${inv.number} of ${inv.seller.name}`,
      metadata: {
        endCustomerInvoiceId: inv.id,
        resellerId: inv.reseller_id,
        endCustomerInvoiceNumber: inv.number ?? '',
      },
    });
    return {
      paymentIntentId: intent.id,
      clientSecret: intent.clientSecret,
      amount: moneyString(due, c),
      currency: c,
    };
  }
}
