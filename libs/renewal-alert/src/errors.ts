import { defineErrors, ProblemSpec } from '#disty/core';

export enum RenewalAlertErrorCode {
  InvalidTransition = 'invalid-status-transition',
  InvalidAssignee = 'invalid-assignee',
  QuoteExpired = 'quote-expired',
  QuoteAlreadyAccepted = 'quote-already-accepted',
  NoCurrentPrice = 'no-current-price',
  RenewalClosed = 'renewal-closed',
}

export const RENEWAL_ALERT_ERRORS: Record<RenewalAlertErrorCode, ProblemSpec> = {
  [RenewalAlertErrorCode.InvalidTransition]: {
    status: 409,
    title: 'Status change not allowed from the current status',
  },
  [RenewalAlertErrorCode.InvalidAssignee]: {
    status: 422,
    title: 'Assignee must be a sales user of the same reseller',
  },
  [RenewalAlertErrorCode.QuoteExpired]: { status: 422, title: 'The quote is past its validity date' },
  [RenewalAlertErrorCode.QuoteAlreadyAccepted]: { status: 409, title: 'The quote has already been accepted' },
  [RenewalAlertErrorCode.NoCurrentPrice]: {
    status: 422,
    title: 'The catalog has no current price for this renewal',
  },
  [RenewalAlertErrorCode.RenewalClosed]: { status: 409, title: 'The renewal is closed as LOST or DISMISSED' },
};

export const renewalAlertError = defineErrors(RENEWAL_ALERT_ERRORS);
