/** Events a webhook may subscribe to. */
export const WEBHOOK_EVENTS = [
  'renewal_alert.raised',
  'invoice.issued',
  'credit_note.issued',
  'payment.received',
  'refund.paid',
  'renewal_quote.accepted',
  'credit.threshold_crossed',
  'consumption.forecast_over_budget',
  'end_customer_invoice.issued',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'FAILED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
