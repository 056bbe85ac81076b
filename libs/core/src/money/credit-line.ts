/**
 * The two credit lines a reseller buys on (docs/architecture.md): a product's kind, an order line's,
 * a charge's and an invoice line's credit line are all one of these. The one definition; modules
 * import it from #disty/core.
 */
export const CREDIT_LINES = ['HARDWARE', 'CLOUD'] as const;
export type CreditLine = (typeof CREDIT_LINES)[number];
