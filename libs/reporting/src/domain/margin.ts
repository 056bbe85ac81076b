import { Dec } from '#disty/core';

export const MARGIN_GROUPS = ['reseller', 'sku', 'vendor', 'month'] as const;
export type MarginGroup = (typeof MARGIN_GROUPS)[number];

/** Gross margin of a revenue and its cost: the difference and its share of revenue in % (2 decimals), none without revenue. */
export function grossMargin(revenue: Dec, cost: Dec): { margin: Dec; marginPercent: Dec | null } {
  const margin = revenue.minus(cost);
  return {
    margin,
    marginPercent: revenue.isZero() ? null : margin.div(revenue).times(100).toDecimalPlaces(2),
  };
}
