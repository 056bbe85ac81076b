import { Currency, Dec, roundMoney } from '#disty/core';

/**
 * How a settlement divides what was collected (docs/billing-on-behalf.md, "Settlement"): the
 * billing-services fee (collected × feePercent/100, rounded half up once), then what is left nets
 * against what the reseller owes (at most `due`), and the rest is paid out. fee + netted + paidOut
 * = collected, each ≥ 0.
 */
export function divideSettlement(collected: Dec, feePercent: Dec, due: Dec, currency: Currency): { fee: Dec; netted: Dec; paidOut: Dec } {
  const fee = Dec.min(roundMoney(collected.times(feePercent).dividedBy(100), currency), collected);
  const left = collected.minus(fee);
  const netted = Dec.max(Dec.min(left, due), new Dec(0));
  return { fee, netted, paidOut: left.minus(netted) };
}
