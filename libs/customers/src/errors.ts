import { defineErrors, FieldError, ProblemError, ProblemSpec } from '#disty/core';

export enum CustomersErrorCode {
  NotFound = 'not-found',
  DuplicateName = 'duplicate-end-customer',
  UnknownEndCustomer = 'unknown-end-customer',
}

export const CUSTOMERS_ERRORS: Record<CustomersErrorCode, ProblemSpec> = {
  [CustomersErrorCode.NotFound]: { status: 404, title: 'Not found' },
  [CustomersErrorCode.DuplicateName]: { status: 409, title: 'An end customer with this name exists' },
  [CustomersErrorCode.UnknownEndCustomer]: { status: 422, title: 'Unknown end customer' },
};

export const customersError = defineErrors(CUSTOMERS_ERRORS);

/** A customers error that names the request field it is about. */
export function customersFieldError(
  code: CustomersErrorCode,
  detail: string,
  field: string,
  extensions: Record<string, unknown> = {},
): ProblemError {
  const e = customersError(code, detail, extensions);
  const errors: FieldError[] = [{ field, message: detail }];
  return new ProblemError(e.status, e.slug, e.title, detail, e.extensions, errors);
}
