import { defineErrors, ProblemSpec } from '#disty/core';

export enum ResellerErrorCode {
  CreditLimitExceeded = 'credit-limit-exceeded',
  CreditHold = 'credit-hold',
  ResellerNotFound = 'not-found',
}

export const RESELLER_ERRORS: Record<ResellerErrorCode, ProblemSpec> = {
  [ResellerErrorCode.CreditLimitExceeded]: { status: 422, title: 'Credit limit exceeded' },
  [ResellerErrorCode.CreditHold]: { status: 422, title: 'Credit line on hold' },
  [ResellerErrorCode.ResellerNotFound]: { status: 404, title: 'Not found' },
};

export const resellerError = defineErrors(RESELLER_ERRORS);
