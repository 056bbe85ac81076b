import { defineErrors, ProblemSpec } from '#disty/core';

export enum UsageErrorCode {
  NotFound = 'not-found',
  TenantTaken = 'conflict',
  UnknownProduct = 'unknown-product',
  UnknownVendor = 'unknown-vendor',
  UnsupportedMediaType = 'unsupported-media-type',
  BadFile = 'validation',
  CurrencyNotPriced = 'currency-not-priced',
}

export const USAGE_ERRORS: Record<UsageErrorCode, ProblemSpec> = {
  [UsageErrorCode.NotFound]: { status: 404, title: 'Not found' },
  [UsageErrorCode.TenantTaken]: { status: 409, title: 'Conflict' },
  [UsageErrorCode.UnknownProduct]: { status: 422, title: 'Unknown product' },
  [UsageErrorCode.UnknownVendor]: { status: 422, title: 'Unknown vendor' },
  [UsageErrorCode.UnsupportedMediaType]: { status: 415, title: 'Unsupported media type' },
  [UsageErrorCode.BadFile]: { status: 400, title: 'Validation failed' },
  [UsageErrorCode.CurrencyNotPriced]: { status: 422, title: 'Currency not priced' },
};

export const usageError = defineErrors(USAGE_ERRORS);
