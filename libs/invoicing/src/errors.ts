import { defineErrors, ProblemSpec } from '#disty/core';

export enum InvoicingErrorCode {
  NotFound = 'not-found',
  OverCredit = 'over-credit',
  InvalidCreditNote = 'invalid-credit-note',
  BillingFailed = 'billing-failed',
  CurrencyMismatch = 'currency-mismatch',
  PeriodEndBeforeLastInvoice = 'period-end-before-last-invoice',
  InvoiceDateOrder = 'invoice-date-order',
  OverWriteOff = 'over-write-off',
  PeriodClosed = 'period-closed',
  FutureDated = 'future-dated',
}

export const INVOICING_ERRORS: Record<InvoicingErrorCode, ProblemSpec> = {
  [InvoicingErrorCode.NotFound]: { status: 404, title: 'Not found' },
  [InvoicingErrorCode.OverCredit]: { status: 422, title: 'Credit exceeds what the invoice line allows' },
  [InvoicingErrorCode.InvalidCreditNote]: { status: 422, title: 'Invalid credit note' },
  [InvoicingErrorCode.BillingFailed]: { status: 422, title: 'Reseller could not be billed' },
  [InvoicingErrorCode.CurrencyMismatch]: { status: 422, title: 'Currency does not match' },
  [InvoicingErrorCode.PeriodEndBeforeLastInvoice]: {
    status: 422,
    title: 'Billing period ends before the latest invoice date',
  },
  [InvoicingErrorCode.InvoiceDateOrder]: { status: 422, title: 'Invoice numbers must follow issue dates' },
  [InvoicingErrorCode.OverWriteOff]: { status: 422, title: 'Write-off exceeds what is open on the invoice' },
  [InvoicingErrorCode.PeriodClosed]: { status: 422, title: 'Accounting period is closed' },
  [InvoicingErrorCode.FutureDated]: { status: 422, title: 'Date is in the future' },
};

export const invoicingError = defineErrors(INVOICING_ERRORS);
