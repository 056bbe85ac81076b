import { defineErrors, ProblemSpec } from '#disty/core';

export enum ReconciliationErrorCode {
  NotFound = 'not-found',
  BadFile = 'validation',
  UnsupportedMediaType = 'unsupported-media-type',
  AlreadyAccepted = 'conflict',
  NothingToBill = 'nothing-to-bill',
}

export const RECONCILIATION_ERRORS: Record<ReconciliationErrorCode, ProblemSpec> = {
  [ReconciliationErrorCode.NotFound]: { status: 404, title: 'Not found' },
  [ReconciliationErrorCode.BadFile]: { status: 400, title: 'Validation failed' },
  [ReconciliationErrorCode.UnsupportedMediaType]: { status: 415, title: 'Unsupported media type' },
  [ReconciliationErrorCode.AlreadyAccepted]: { status: 409, title: 'Conflict' },
  [ReconciliationErrorCode.NothingToBill]: { status: 422, title: 'Nothing to bill' },
};

export const reconciliationError = defineErrors(RECONCILIATION_ERRORS);
