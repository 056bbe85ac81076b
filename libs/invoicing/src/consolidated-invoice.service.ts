// One reseller's consolidated invoice for a period: its unbilled items (ordering, subscription, usage) billed and the invoice issued, in the caller's transaction.
import { Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'crypto';
import { EntityManager } from 'typeorm';
import { Dec, moneyString } from '#disty/core';
import { CreditExposureService } from '#disty/credit-exposure';
import { lockReceivables } from '#disty/ledger';
import { OrderLineBillingService } from '#disty/ordering';
import { WebhookService } from '#disty/webhooks';
import { CreditReservationService, ResellerService } from '#disty/reseller';
import { SubscriptionService } from '#disty/subscription';
import { TaxService } from '#disty/tax';
import { UsageBillingService, UsageInvoiceItem } from '#disty/usage';
import { BillableItem, priceLines } from './domain/invoice-math';
import { invoicingError, InvoicingErrorCode } from './errors';
import { InvoiceService, IssuedInvoice } from './invoice.service';
import { UnappliedCash } from './unapplied-cash';
import { EndCustomerBilling, ResoldItem } from './end-customer-billing.port';

/** The flow a billing run (or a caller holding its own transaction) bills one reseller with; the run itself is BillingRunService's. */
@Injectable()
export class ConsolidatedInvoiceService {
  constructor(
    private readonly invoices: InvoiceService,
    private readonly unappliedCash: UnappliedCash,
    private readonly resellers: ResellerService,
    private readonly reservations: CreditReservationService,
    private readonly subscriptions: SubscriptionService,
    private readonly ordering: OrderLineBillingService,
    private readonly webhooks: WebhookService,
    private readonly usage: UsageBillingService,
    private readonly tax: TaxService,
    private readonly exposure: CreditExposureService,
    @Optional() private readonly resale?: EndCustomerBilling,
  ) {}

  /**
   * One consolidated invoice for the reseller's unbilled items up to the period end, in `em`:
   * shipped hardware lines and cloud charges (with prorations and credits) are locked, marked
   * billed on the new invoice's id (conditional updates: never twice), their credit reservations
   * consumed, and the invoice issued: created with its usable credits applied, the reseller's
   * unapplied cash applied to it (payments, through `UnappliedCash`), numbered and posted; then
   * `invoice.issued` queued. One flow, one transaction. null when nothing is due.
   */
  async billReseller(
    em: EntityManager,
    runId: string | null,
    periodEnd: string,
    resellerId: string,
    opts: { receivablesLocked?: boolean } = {},
  ): Promise<IssuedInvoice | null> {
    if (!opts.receivablesLocked) await lockReceivables(em, resellerId);
    const reseller = await this.resellers.getReseller(resellerId, em);
    const id = randomUUID();
    // Shipped lines and charges are taken: locked and marked billed on the new invoice's id by one
    // statement each (only unbilled ones: never twice); a failure before commit unbills them again.
    const hardware = await this.ordering.takeUnbilledShippedLines(em, resellerId, periodEnd, id);
    const charges = await this.subscriptions.takeUnbilledCharges(em, resellerId, periodEnd, id);
    // Usage is taken (and marked billed) under the rating lock; the transaction undoes it if nothing is issued.
    const usage = await this.usage.takeUnbilled(em, resellerId, periodEnd);
    if (!hardware.length && !charges.length && !usage.length) return null;
    const foreign = [...hardware, ...charges, ...usage].find((i) => i.currency !== reseller.currency);
    if (foreign) {
      throw invoicingError(
        InvoicingErrorCode.CurrencyMismatch,
        `Reseller ${resellerId} is invoiced in ${reseller.currency} but has an item in ${foreign.currency}`,
      );
    }
    const items: BillableItem[] = [
      ...hardware.map((l): BillableItem => ({
        creditLine: 'HARDWARE',
        sourceType: 'order_line',
        sourceId: l.orderLineId,
        sku: l.sku,
        description: `${l.description}${l.poNumber ? `, PO ${l.poNumber}` : ''}, shipped ${l.shippedOn}${l.postedOn ? ` (posted ${l.postedOn}: its month was closed)` : ''}, for ${l.endCustomer.name}`,
        quantity: l.quantity,
        net: l.net,
        taxRate: l.taxRate,
        unitCost: l.unitCost,
        cost: l.cost,
        shipmentPosted: l.shipmentPosted,
        taxCode: l.taxCode,
      })),
      ...charges.map((c): BillableItem => ({
        creditLine: 'CLOUD',
        sourceType: 'subscription_charge',
        sourceId: c.id,
        sku: c.sku,
        description:
          c.kind === 'TERM' ? c.description : `${c.kind === 'PRORATION' ? 'Proration' : 'Cancellation credit'}: ${c.description}`,
        quantity: c.quantity,
        periodStart: c.periodStart,
        periodEnd: c.periodEnd,
        net: c.net,
        taxRate: c.taxRate,
        unitCost: c.unitCost,
        cost: c.cost,
        taxCode: c.taxCode,
      })),
      ...(await this.usageItems(em, reseller, usage, periodEnd)),
    ];
    // Every item carries the rate stored when it was ordered or renewed; 0 only satisfies the signature.
    const lines = priceLines(items, new Dec(0), reseller.currency);
    await this.reservations.consumeReservations(em, [...hardware.map((l) => l.source), ...charges.map((c) => c.source)], { resellerId });
    // Issuing: the invoice with its usable credits applied (invoicing), the reseller's unapplied
    // cash applied to it (payments), then its number and posting (invoicing), in this transaction.
    const created = await this.invoices.create(em, {
      id,
      reseller,
      billingRunId: runId,
      periodEnd,
      issueDate: periodEnd,
      lines,
    });
    await this.unappliedCash.applyToNewInvoice(em, created);
    const issued = await this.invoices.finishIssue(em, created);
    const c = reseller.currency;
    const amounts = (a: { net: { toFixed(): string }; tax: { toFixed(): string }; gross: { toFixed(): string } }) => ({
      net: moneyString(a.net.toFixed(), c),
      tax: moneyString(a.tax.toFixed(), c),
      gross: moneyString(a.gross.toFixed(), c),
    });
    await this.webhooks.enqueue(em, resellerId, 'invoice.issued', {
      invoiceId: issued.id,
      number: issued.number,
      resellerId,
      currency: c,
      issueDate: issued.issueDate,
      dueDate: issued.dueDate,
      totals: {
        HARDWARE: amounts(issued.totals.HARDWARE),
        CLOUD: amounts(issued.totals.CLOUD),
        all: amounts(issued.totals.all),
      },
    });
    // Billed usage is an open invoice now: the CLOUD line's exposure re-read (docs/consumption.md §7).
    await this.exposure.evaluateIn(em, resellerId);
    if (this.resale) {
      // The reseller's own invoices to its end customers, from these lines (docs/billing-on-behalf.md).
      const resold: ResoldItem[] = [
        ...hardware
          .filter((l) => l.endCustomer.id)
          .map((l): ResoldItem => ({
            endCustomerId: l.endCustomer.id!,
            kind: 'HARDWARE',
            sku: l.sku,
            description: l.description,
            quantity: l.quantity,
            periodStart: null,
            periodEnd: null,
            cost: l.net,
            taxRate: l.taxRate,
          })),
        ...charges
          .filter((ch) => ch.endCustomerId)
          .map((ch): ResoldItem => ({
            endCustomerId: ch.endCustomerId!,
            kind: 'SEAT',
            sku: ch.sku,
            description: ch.description,
            quantity: ch.quantity,
            periodStart: ch.periodStart,
            periodEnd: ch.periodEnd,
            cost: ch.net,
            taxRate: ch.taxRate,
          })),
        ...usage.map((u): ResoldItem => ({
          endCustomerId: u.endCustomerId,
          kind: 'USAGE',
          sku: u.sku,
          description: u.description,
          quantity: 1,
          periodStart: u.firstDay,
          periodEnd: u.lastDay,
          cost: u.net,
          taxRate: lines.find((l) => l.sourceId === u.sourceId)?.taxRate ?? new Dec(0),
        })),
      ];
      await this.resale.afterResellerInvoiced(em, {
        invoiceId: issued.id,
        invoiceNumber: issued.number,
        resellerId,
        currency: c,
        periodEnd,
        items: resold,
      });
    }
    return issued;
  }

  /**
   * Usage lines (docs/consumption.md, "Billing"): one per subscription and meter, its net the exact
   * sum of its records' rated nets, taxed with the code its product's tax category and the
   * reseller's country and registration choose on the invoice date.
   */
  private async usageItems(
    em: EntityManager,
    reseller: { country: string; taxRegistered: boolean },
    usage: UsageInvoiceItem[],
    issueDate: string,
  ): Promise<BillableItem[]> {
    if (!usage.length) return [];
    const codes = await this.tax.codesFor(
      em,
      { country: reseller.country, registered: reseller.taxRegistered },
      usage.map((u) => u.taxCategory),
      issueDate,
    );
    return usage.map((u): BillableItem => {
      const code = codes.get(u.taxCategory)!;
      return {
        creditLine: 'CLOUD',
        sourceType: 'usage',
        sourceId: u.sourceId,
        sku: u.sku,
        description: u.description,
        quantity: 1,
        periodStart: u.firstDay,
        periodEnd: u.lastDay,
        net: u.net,
        taxRate: code.rate,
        taxCode: code.code,
        unitCost: null,
        cost: null,
        usageQuantity: u.quantity,
        usageUnit: u.unit,
      };
    });
  }
}
