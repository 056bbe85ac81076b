import { EntityManager } from 'typeorm';
import { Currency, Dec } from '#disty/core';

/** One line of a reseller's consolidated invoice as the reseller resells it to one end customer. */
export interface ResoldItem {
  endCustomerId: string;
  /** HARDWARE (shipped), SEAT (a cloud subscription charge) or USAGE (rated consumption). */
  kind: 'HARDWARE' | 'SEAT' | 'USAGE';
  sku: string;
  description: string;
  quantity: number;
  periodStart: string | null;
  periodEnd: string | null;
  /** What the reseller pays the distributor for it (the distributor invoice line's net). */
  cost: Dec;
  /** The tax rate of the distributor line (the reseller's own treatment). */
  taxRate: Dec;
}

export interface ResaleInput {
  invoiceId: string;
  invoiceNumber: string;
  resellerId: string;
  currency: Currency;
  periodEnd: string;
  items: ResoldItem[];
}

/**
 * The step of a billing run that the reseller-billing module owns (docs/billing-on-behalf.md): after
 * a reseller's consolidated invoice is issued, in the same transaction, the reseller's own invoices
 * to its end customers are drafted (or issued) from its lines. Declared here because the billing
 * run calls it; implemented and provided by the reseller-billing module (which depends on
 * invoicing, not the reverse), like `UnappliedCash` (docs/architecture.md §3). Optional: without a
 * provider the run bills as before.
 */
export abstract class EndCustomerBilling {
  abstract afterResellerInvoiced(em: EntityManager, input: ResaleInput): Promise<void>;
}
