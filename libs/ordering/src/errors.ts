import { defineErrors, ProblemSpec } from '#disty/core';

export enum OrderingErrorCode {
  UnknownProduct = 'unknown-product',
  ProductInactive = 'product-inactive',
  PriceUnavailable = 'price-unavailable',
  OrderNotFound = 'not-found',
  Conflict = 'conflict',
  FutureDated = 'future-dated',
}

export const ORDERING_ERRORS: Record<OrderingErrorCode, ProblemSpec> = {
  [OrderingErrorCode.UnknownProduct]: { status: 422, title: 'Unknown product' },
  [OrderingErrorCode.ProductInactive]: { status: 422, title: 'Product no longer sold' },
  [OrderingErrorCode.PriceUnavailable]: { status: 422, title: 'No price in this currency' },
  [OrderingErrorCode.OrderNotFound]: { status: 404, title: 'Not found' },
  [OrderingErrorCode.Conflict]: { status: 409, title: 'Conflict' },
  [OrderingErrorCode.FutureDated]: { status: 422, title: 'Date is in the future' },
};

export const orderingError = defineErrors(ORDERING_ERRORS);
