import { defineErrors, ProblemSpec } from '@disty/core';

export enum RenewalAlertErrorCode {
  InvalidTransition = 'invalid-status-transition',
  InvalidAssignee = 'invalid-assignee',
}

export const RENEWAL_ALERT_ERRORS: Record<RenewalAlertErrorCode, ProblemSpec> = {
  [RenewalAlertErrorCode.InvalidTransition]: { status: 409, title: 'Status change not allowed from the current status' },
  [RenewalAlertErrorCode.InvalidAssignee]: { status: 422, title: 'Assignee must be a sales user of the same reseller' },
};

export const renewalAlertError = defineErrors(RENEWAL_ALERT_ERRORS);
