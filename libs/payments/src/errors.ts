import { defineErrors, ProblemSpec } from '#disty/core';

export enum PaymentsErrorCode {
  NotFound = 'not-found',
  UnknownReseller = 'unknown-reseller',
  UnknownInvoice = 'unknown-invoice',
  CurrencyMismatch = 'currency-mismatch',
  OverAllocation = 'over-allocation',
  NothingUnapplied = 'nothing-unapplied',
  NothingToApply = 'nothing-to-apply',
  NothingDue = 'nothing-due',
  OverRefund = 'over-refund',
  InvalidSignature = 'invalid-signature',
  StripeNotConfigured = 'stripe-not-configured',
  StripeUnavailable = 'stripe-unavailable',
  StripeRefused = 'stripe-refused',
}

export const PAYMENTS_ERRORS: Record<PaymentsErrorCode, ProblemSpec> = {
  [PaymentsErrorCode.NotFound]: { status: 404, title: 'Not found' },
  [PaymentsErrorCode.UnknownReseller]: { status: 422, title: 'Unknown reseller' },
  [PaymentsErrorCode.UnknownInvoice]: { status: 422, title: 'Unknown invoice' },
  [PaymentsErrorCode.CurrencyMismatch]: { status: 422, title: 'Currency does not match' },
  [PaymentsErrorCode.OverAllocation]: { status: 422, title: 'Allocation exceeds what is available or due' },
  [PaymentsErrorCode.NothingUnapplied]: { status: 422, title: 'Payment has no unapplied cash' },
  [PaymentsErrorCode.NothingToApply]: { status: 422, title: 'No open invoice to apply the cash to' },
  [PaymentsErrorCode.NothingDue]: { status: 409, title: 'Nothing is due on this invoice' },
  [PaymentsErrorCode.OverRefund]: { status: 422, title: 'Refund exceeds the refundable credit balance' },
  [PaymentsErrorCode.InvalidSignature]: { status: 400, title: 'Invalid webhook signature' },
  [PaymentsErrorCode.StripeNotConfigured]: { status: 503, title: 'Card payments are not configured' },
  [PaymentsErrorCode.StripeUnavailable]: { status: 503, title: 'Stripe could not be reached; retry later' },
  [PaymentsErrorCode.StripeRefused]: { status: 422, title: 'Stripe refused the request' },
};

export const paymentsError = defineErrors(PAYMENTS_ERRORS);
