import { defineErrors, ProblemSpec } from '#disty/core';

export enum ResellerBillingErrorCode {
  NotFound = 'not-found',
  Conflict = 'conflict',
  UnknownEndCustomer = 'unknown-end-customer',
  UnknownProduct = 'unknown-product',
  NotEnabled = 'billing-on-behalf-not-enabled',
  InvoiceNotIssued = 'invoice-not-issued',
  OverCollection = 'over-collection',
  CurrencyMismatch = 'currency-mismatch',
  NothingToSettle = 'nothing-to-settle',
  FutureDated = 'future-dated',
}

export const RESELLER_BILLING_ERRORS: Record<ResellerBillingErrorCode, ProblemSpec> = {
  [ResellerBillingErrorCode.NotFound]: { status: 404, title: 'Not found' },
  [ResellerBillingErrorCode.Conflict]: { status: 409, title: 'Conflict' },
  [ResellerBillingErrorCode.UnknownEndCustomer]: { status: 422, title: 'Unknown end customer' },
  [ResellerBillingErrorCode.UnknownProduct]: { status: 422, title: 'Unknown product' },
  [ResellerBillingErrorCode.NotEnabled]: {
    status: 422,
    title: 'Billing on behalf is not enabled for this reseller',
  },
  [ResellerBillingErrorCode.InvoiceNotIssued]: {
    status: 409,
    title: 'The end-customer invoice is not issued',
  },
  [ResellerBillingErrorCode.OverCollection]: { status: 422, title: 'More than the invoice has due' },
  [ResellerBillingErrorCode.CurrencyMismatch]: { status: 422, title: 'Currency mismatch' },
  [ResellerBillingErrorCode.NothingToSettle]: { status: 422, title: 'Nothing to settle' },
  [ResellerBillingErrorCode.FutureDated]: { status: 422, title: 'Dated in the future' },
};

export const resellerBillingError = defineErrors(RESELLER_BILLING_ERRORS);
