import { EntityManager } from 'typeorm';
import { Currency, Dec } from '#disty/core';

/** A card payment Stripe reports for an end-customer invoice (PaymentIntent metadata `endCustomerInvoiceId`). */
export interface CardCollection {
  paymentIntentId: string;
  endCustomerInvoiceId: string;
  resellerId: string | null;
  currency: Currency;
  amount: Dec;
  /** Stripe's fee (the distributor's processing cost, 6100). */
  fee: Dec;
  occurredOn: string;
}

/** A subledger amount per reseller and currency. */
export interface HeldAmount {
  resellerId: string | null;
  currency: Currency;
  amount: Dec;
}

/**
 * What payments needs from collection on a reseller's behalf (docs/billing-on-behalf.md), declared
 * here because payments owns the Stripe webhook and the reconciliation, and implemented by the
 * reseller-billing module (which depends on payments, not the reverse), like invoicing's
 * `UnappliedCash` (docs/architecture.md §3). Optional: without a provider, such PaymentIntents are
 * ignored and reconciliation has no 2500 rows.
 */
export abstract class OnBehalfCollections {
  /** Records a card collection in the webhook's transaction; returns its id, or null (with why) when it is not one to record. */
  abstract recordCard(em: EntityManager, c: CardCollection): Promise<{ collectionId: string | null; why?: string }>;
  /** 2500's subledger: collections not yet settled (as of a date: received on or before it, not settled by then). */
  abstract held(asOf: string | null, resellerId: string | null, em: EntityManager): Promise<HeldAmount[]>;
  /** Card collections net of their fees, per reseller: their share of 1050. */
  abstract stripeClearing(asOf: string | null, resellerId: string | null, em: EntityManager): Promise<HeldAmount[]>;
}
