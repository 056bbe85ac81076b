import { defineErrors, ProblemSpec } from '#disty/core';

export enum WebhookErrorCode {
  UnknownReseller = 'unknown-reseller',
  UrlNotAllowed = 'webhook-url-not-allowed',
}

export const WEBHOOK_ERRORS: Record<WebhookErrorCode, ProblemSpec> = {
  [WebhookErrorCode.UnknownReseller]: { status: 422, title: 'Unknown reseller' },
  [WebhookErrorCode.UrlNotAllowed]: {
    status: 422,
    title: 'Webhook URL points at a private or local address',
  },
};

export const webhookError = defineErrors(WEBHOOK_ERRORS);
