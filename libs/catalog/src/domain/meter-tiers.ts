import { Dec, FieldError } from '#disty/core';

/** A price tier of a meter in one currency: units from `from` (inclusive) up to `to` (exclusive; null: no end). */
export interface MeterTier {
  from: Dec;
  to: Dec | null;
  unitPrice: Dec;
}

/** How a meter's price is given: one flat unit price, or graduated tiers by the month's volume. */
export interface MeterPriceInput {
  unitPrice?: string;
  tiers?: Array<{ upTo: string | null; unitPrice: string }>;
}

/**
 * The tiers of a price (docs/consumption.md, "Tiers"): a flat price is one tier from 0 without an
 * end; graduated tiers are given by their upper bounds, ascending, the last one open (`upTo: null`).
 * Each unit of the month's running volume is priced at the tier it falls in.
 */
export function meterTiers(p: MeterPriceInput): MeterTier[] {
  if (p.tiers?.length) {
    let from = new Dec(0);
    return p.tiers.map((t) => {
      const tier = { from, to: t.upTo == null ? null : new Dec(t.upTo), unitPrice: new Dec(t.unitPrice) };
      from = tier.to ?? from;
      return tier;
    });
  }
  return [{ from: new Dec(0), to: null, unitPrice: new Dec(p.unitPrice ?? 0) }];
}

/** Exactly one of unitPrice or tiers; tiers ascending, every bound above zero, only the last one open. */
export function meterPriceProblems(p: MeterPriceInput, field: string): FieldError[] {
  const hasFlat = p.unitPrice !== undefined;
  const hasTiers = !!p.tiers?.length;
  if (hasFlat === hasTiers) return [{ field, message: 'give exactly one of unitPrice (flat) or tiers (graduated)' }];
  if (!hasTiers) return [];
  const errors: FieldError[] = [];
  let last = new Dec(0);
  p.tiers!.forEach((t, i) => {
    const isLast = i === p.tiers!.length - 1;
    if (t.upTo == null) {
      if (!isLast) errors.push({ field: `${field}.tiers.${i}.upTo`, message: 'only the last tier may be open (null)' });
      return;
    }
    if (isLast) errors.push({ field: `${field}.tiers.${i}.upTo`, message: 'the last tier must be open (null)' });
    const upTo = new Dec(t.upTo);
    if (!upTo.gt(last)) errors.push({ field: `${field}.tiers.${i}.upTo`, message: `must be above ${last.toFixed()}` });
    last = upTo;
  });
  return errors;
}

/**
 * The net of `quantity` units whose month's running volume before them is `before`, at graduated
 * tiers (unrounded): Σ over tiers of the units falling in it × its price. The SQL rating of
 * docs/consumption.md does the same set-based; this is its reference for unit tests.
 */
export function tieredAmount(tiers: MeterTier[], before: Dec, quantity: Dec): Dec {
  const after = before.plus(quantity);
  return tiers.reduce((sum, t) => {
    const lo = Dec.max(before, t.from);
    const hi = t.to == null ? after : Dec.min(after, t.to);
    return hi.gt(lo) ? sum.plus(hi.minus(lo).times(t.unitPrice)) : sum;
  }, new Dec(0));
}
