import { defineErrors, ProblemSpec } from '@disty/core';

export enum CatalogErrorCode {
  SkuTaken = 'conflict',
  ProductNotFound = 'not-found',
  UnknownProduct = 'unknown-product',
}

export const CATALOG_ERRORS: Record<CatalogErrorCode, ProblemSpec> = {
  [CatalogErrorCode.SkuTaken]: { status: 409, title: 'Conflict' },
  [CatalogErrorCode.ProductNotFound]: { status: 404, title: 'Not found' },
  [CatalogErrorCode.UnknownProduct]: { status: 422, title: 'Unknown product' },
};

export const catalogError = defineErrors(CATALOG_ERRORS);
