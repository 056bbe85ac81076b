import { defineErrors, ProblemSpec } from '#disty/core';

export enum SubscriptionErrorCode {
  InvalidSubscription = 'invalid-subscription',
  NotActive = 'subscription-not-active',
  TermEnded = 'term-ended',
  DateOutsideTerm = 'date-outside-term',
  ChangeOutOfOrder = 'change-out-of-order',
  AlreadyBilled = 'charge-already-billed',
  BackdatingNotAllowed = 'backdating-not-allowed',
  PeriodClosed = 'period-closed',
  StartDateOutOfRange = 'start-date-out-of-range',
  OutsideCommitmentWindow = 'outside-commitment-window',
}

export const SUBSCRIPTION_ERRORS: Record<SubscriptionErrorCode, ProblemSpec> = {
  [SubscriptionErrorCode.InvalidSubscription]: { status: 422, title: 'Subscription cannot be provisioned' },
  [SubscriptionErrorCode.NotActive]: { status: 409, title: 'Subscription is not active' },
  [SubscriptionErrorCode.TermEnded]: {
    status: 409,
    title: 'The current term has ended; its renewal is pending',
  },
  [SubscriptionErrorCode.DateOutsideTerm]: { status: 422, title: 'Date is outside the current term' },
  [SubscriptionErrorCode.ChangeOutOfOrder]: { status: 409, title: 'A later change already exists' },
  [SubscriptionErrorCode.AlreadyBilled]: { status: 409, title: 'Charge already billed' },
  [SubscriptionErrorCode.BackdatingNotAllowed]: {
    status: 422,
    title: 'Changes take effect today or later; only distributor staff may back-date',
  },
  [SubscriptionErrorCode.PeriodClosed]: { status: 422, title: 'Accounting period is closed' },
  [SubscriptionErrorCode.StartDateOutOfRange]: { status: 422, title: 'Start date outside the allowed range' },
  [SubscriptionErrorCode.OutsideCommitmentWindow]: {
    status: 422,
    title: 'Outside the commitment window: decrease or cancel at renewal instead',
  },
};

export const subscriptionError = defineErrors(SUBSCRIPTION_ERRORS);
