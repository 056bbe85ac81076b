import { defineErrors, ProblemSpec } from '#disty/core';

export enum TaxErrorCode {
  NotFound = 'not-found',
  Conflict = 'conflict',
  UnknownTaxCode = 'tax-code-unknown',
}

export const TAX_ERRORS: Record<TaxErrorCode, ProblemSpec> = {
  [TaxErrorCode.NotFound]: { status: 404, title: 'Not found' },
  [TaxErrorCode.Conflict]: { status: 409, title: 'Conflict' },
  [TaxErrorCode.UnknownTaxCode]: { status: 422, title: 'Tax code unknown' },
};

export const taxError = defineErrors(TAX_ERRORS);
