import { defineErrors, FieldError, ProblemError, ProblemSpec } from '#disty/core';

export enum PurchasingErrorCode {
  NotFound = 'not-found',
  DuplicateVendor = 'duplicate-vendor',
  UnknownVendor = 'unknown-vendor',
  VendorInactive = 'vendor-inactive',
  DuplicateVendorBill = 'duplicate-vendor-bill',
  UnmatchedBillLine = 'unmatched-bill-line',
  FutureDated = 'future-dated',
  PeriodClosed = 'period-closed',
  OverPayment = 'over-payment',
  PaymentBeforeBill = 'payment-before-bill',
}

export const PURCHASING_ERRORS: Record<PurchasingErrorCode, ProblemSpec> = {
  [PurchasingErrorCode.NotFound]: { status: 404, title: 'Not found' },
  [PurchasingErrorCode.DuplicateVendor]: { status: 409, title: 'A vendor with this name already exists' },
  [PurchasingErrorCode.UnknownVendor]: { status: 422, title: 'Unknown vendor' },
  [PurchasingErrorCode.VendorInactive]: { status: 422, title: 'Vendor is inactive' },
  [PurchasingErrorCode.DuplicateVendorBill]: {
    status: 409,
    title: 'This vendor bill number is already recorded for the vendor',
  },
  [PurchasingErrorCode.UnmatchedBillLine]: { status: 422, title: 'A bill line matches no accrued cost' },
  [PurchasingErrorCode.FutureDated]: { status: 422, title: 'Date is in the future' },
  [PurchasingErrorCode.PeriodClosed]: { status: 422, title: 'Accounting period is closed' },
  [PurchasingErrorCode.OverPayment]: { status: 422, title: 'Payment exceeds the open amount of the bill' },
  [PurchasingErrorCode.PaymentBeforeBill]: { status: 422, title: 'Payment dated before its bill' },
};

export const purchasingError = defineErrors(PURCHASING_ERRORS);

/** A purchasing problem that names the request fields it is about (`errors`). */
export function fieldProblem(
  code: PurchasingErrorCode,
  detail: string,
  errors: FieldError[],
  extensions: Record<string, unknown> = {},
): ProblemError {
  const e = purchasingError(code, detail, extensions);
  return new ProblemError(e.status, e.slug, e.title, detail, e.extensions, errors);
}
