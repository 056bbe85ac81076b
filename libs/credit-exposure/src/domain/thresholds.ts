import { Dec } from '#disty/core';

/** The default alert thresholds, in percent of the credit line (docs/consumption.md §7). */
export const DEFAULT_THRESHOLDS = ['80', '100'];

/** Exposure as a percentage of the limit (2 decimals, rounded down); null for a zero limit. */
export function exposurePercent(limit: Dec, exposure: Dec): Dec | null {
  if (!limit.gt(0)) return null;
  return exposure.times(100).div(limit).toDecimalPlaces(2, Dec.ROUND_DOWN);
}

/**
 * The thresholds (percents) an exposure has reached: exposure ≥ threshold % of the limit. A zero
 * limit with any exposure has reached them all.
 */
export function reachedThresholds(limit: Dec, exposure: Dec, thresholds: Dec[]): Dec[] {
  if (!limit.gt(0)) return exposure.gt(0) ? thresholds : [];
  return thresholds.filter((t) => exposure.times(100).gte(limit.times(t)));
}

/** The line goes on hold when its exposure reaches its whole limit (a zero limit: any exposure). */
export function holdDue(limit: Dec, exposure: Dec): boolean {
  return limit.gt(0) ? exposure.gte(limit) : exposure.gt(0);
}

/** Sorted, distinct, each > 0 and ≤ 1000, at most 2 decimals; null when not. */
export function normaliseThresholds(values: string[]): Dec[] | null {
  if (!values.length || values.length > 10) return null;
  const out: Dec[] = [];
  for (const v of values) {
    if (!/^\d{1,4}(\.\d{1,2})?$/.test(v)) return null;
    const d = new Dec(v);
    if (!d.gt(0) || d.gt(1000)) return null;
    if (!out.some((o) => o.eq(d))) out.push(d);
  }
  return out.sort((a, b) => a.comparedTo(b));
}
