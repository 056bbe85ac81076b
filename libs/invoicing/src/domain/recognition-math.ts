import { Dec } from '#disty/core';

/**
 * A charge's release state (docs/accounting.md §3, "revenue recognition"): it releases `netEff`
 * (invoiced net less what credit notes took from 2400) over `days` service days. Until a credit
 * note, `baseDays` and `baseAmount` are 0; a credit note on its deferred part resets them to what
 * was released so far, and the rest is spread over the remaining days.
 */
export interface ReleaseState {
  netEff: Dec;
  baseDays: number;
  baseAmount: Dec;
  days: number;
  /** Minor units of the currency. */
  scale: number;
}

/**
 * What the charge has released once its first `d` service days (d ≥ baseDays) are recognised:
 * baseAmount + round((netEff − baseAmount) × (d − baseDays) / (days − baseDays)), half-up, so
 * releasedThrough(days) = netEff exactly (cumulative rounding: no cent lost or released twice).
 * The SQL of RevenueRecognitionService computes the same.
 */
export function releasedThrough(s: ReleaseState, d: number): Dec {
  if (d <= s.baseDays || s.days === s.baseDays) return s.baseAmount;
  return s.baseAmount.plus(
    s.netEff
      .minus(s.baseAmount)
      .times(d - s.baseDays)
      .div(s.days - s.baseDays)
      .toDecimalPlaces(s.scale, Dec.ROUND_HALF_UP),
  );
}
