import { defineErrors, ProblemSpec } from '#disty/core';

export enum CatalogErrorCode {
  SkuTaken = 'conflict',
  ProductNotFound = 'not-found',
  UnknownProduct = 'unknown-product',
  UnknownCommitmentPack = 'unknown-commitment-pack',
  NotAllowedByCommitment = 'not-allowed-by-commitment',
  UnknownVendor = 'unknown-vendor',
}

export const CATALOG_ERRORS: Record<CatalogErrorCode, ProblemSpec> = {
  [CatalogErrorCode.SkuTaken]: { status: 409, title: 'Conflict' },
  [CatalogErrorCode.ProductNotFound]: { status: 404, title: 'Not found' },
  [CatalogErrorCode.UnknownProduct]: { status: 422, title: 'Unknown product' },
  [CatalogErrorCode.UnknownCommitmentPack]: { status: 422, title: 'Unknown commitment pack' },
  [CatalogErrorCode.UnknownVendor]: { status: 422, title: 'Unknown vendor' },
  [CatalogErrorCode.NotAllowedByCommitment]: {
    status: 422,
    title: 'Term or billing frequency not allowed by the commitment pack',
  },
};

export const catalogError = defineErrors(CATALOG_ERRORS);
