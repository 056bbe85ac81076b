import { Currency, Dec, roundMoney } from '#disty/core';

/** A reseller's price rule (docs/billing-on-behalf.md, "Price lists"). */
export interface PriceRule {
  id: string;
  endCustomerId: string | null;
  productKind: 'HARDWARE' | 'CLOUD' | null;
  vendor: string | null;
  sku: string | null;
  /** Exactly one of markupPercent and fixedPrice is set. */
  markupPercent: Dec | null;
  /** A unit sell price for one SKU, in `currency`. */
  fixedPrice: Dec | null;
  currency: Currency | null;
  effectiveFrom: string;
  effectiveTo: string | null;
}

export interface PricedProduct {
  sku: string;
  kind: 'HARDWARE' | 'CLOUD';
  vendor: string | null;
}

/** How specific a rule is: an end customer's beats everyone's, a SKU's beats a vendor's, a vendor's a kind's. */
export function specificity(r: PriceRule): number {
  return (r.endCustomerId ? 8 : 0) + (r.sku ? 4 : 0) + (r.vendor ? 2 : 0) + (r.productKind ? 1 : 0);
}

/**
 * The rule that prices `product` for `endCustomerId` on `date` in `currency`: among the rules in
 * force that day (effectiveFrom ≤ date < effectiveTo) whose every set field matches, the most
 * specific; of equally specific ones, the latest to take effect. null: sold at cost.
 */
export function ruleFor(
  rules: PriceRule[],
  product: PricedProduct,
  endCustomerId: string,
  date: string,
  currency: Currency,
): PriceRule | null {
  let best: PriceRule | null = null;
  for (const r of rules) {
    if (r.effectiveFrom > date || (r.effectiveTo !== null && r.effectiveTo <= date)) continue;
    if (r.endCustomerId && r.endCustomerId !== endCustomerId) continue;
    if (r.sku && r.sku !== product.sku) continue;
    if (r.productKind && r.productKind !== product.kind) continue;
    if (r.vendor && (!product.vendor || r.vendor.toLowerCase() !== product.vendor.toLowerCase())) continue;
    if (r.fixedPrice && r.currency !== currency) continue;
    if (!best || specificity(r) > specificity(best) || (specificity(r) === specificity(best) && r.effectiveFrom > best.effectiveFrom))
      best = r;
  }
  return best;
}

/**
 * The sell net of a line that costs the reseller `cost`: cost × (1 + markup/100), or with a fixed
 * unit price, the fixed price scaled as the line scales the list unit price (cost × fixed ÷ list:
 * a whole unit bills fixed × quantity, a prorated charge its share), or fixed × quantity when the
 * list price is unknown. Rounded once, to the currency's minor units (half up).
 */
export function sellNet(cost: Dec, rule: PriceRule | null, line: { quantity: number; listUnitPrice: Dec | null }, currency: Currency): Dec {
  if (!rule) return roundMoney(cost, currency);
  if (rule.markupPercent) return roundMoney(cost.times(new Dec(100).plus(rule.markupPercent)).dividedBy(100), currency);
  const fixed = rule.fixedPrice!;
  if (line.listUnitPrice && line.listUnitPrice.gt(0)) return roundMoney(cost.times(fixed).dividedBy(line.listUnitPrice), currency);
  return roundMoney(fixed.times(line.quantity), currency);
}

/** Margin of a sell price over its cost, and as a percentage of the sell price (null when it is zero). */
export function margin(sell: Dec, cost: Dec): { amount: Dec; percent: Dec | null } {
  const amount = sell.minus(cost);
  return { amount, percent: sell.isZero() ? null : amount.times(100).dividedBy(sell).toDecimalPlaces(2) };
}

/** The end customer's tax treatment: the reseller's own rate at home, none abroad (reverse charge when registered). */
export function taxTreatment(
  resellerCountry: string,
  customer: { country: string | null; taxId: string | null },
): 'DOMESTIC' | 'EXPORT' | 'REVERSE_CHARGE' {
  if (!customer.country || customer.country === resellerCountry) return 'DOMESTIC';
  return customer.taxId ? 'REVERSE_CHARGE' : 'EXPORT';
}
