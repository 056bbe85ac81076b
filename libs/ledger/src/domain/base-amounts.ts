import { Currency, Dec } from '#disty/core';
import { NormalisedLine } from './entry-rules';

/** A line with its base (reporting-currency) amounts. */
export interface BasedLine extends NormalisedLine {
  baseDebit: Dec;
  baseCredit: Dec;
}

export interface BaseContext {
  /** Base units per unit of `currency` on the entry's date (1 for the reporting currency). */
  rate: (currency: Currency) => Dec;
  /**
   * For a `carrying` line: base balance / currency balance of its account, reseller and currency
   * before the entry, or null when the account has no (same-signed) balance to carry.
   */
  carrying: (line: NormalisedLine) => Dec | null;
  /** The reporting currency's minor units (each base amount is rounded to them, half-up). */
  baseMinorUnits: number;
  /** When given, a difference left by `carrying` lines goes to a base-only line on this account. */
  fxDifferenceAccount?: string | null;
}

/**
 * Base amounts of an entry's lines (docs/accounting.md §10), pure:
 *
 * - an explicit base is kept as given;
 * - a `carrying` line is amount × carrying ratio, rounded (the rate when there is no ratio);
 * - any other line is amount × the rate of its currency, rounded.
 *
 * Then, per currency: when `carrying` lines leave the base unbalanced and an FX difference account
 * is given, a base-only line on it takes the difference (reseller: the carrying lines' when they
 * share one); otherwise the rounding remainder goes to the largest rate-valued line on the short
 * side, so a balanced single-currency entry always balances in base. Never subtracts, so no base
 * amount becomes negative.
 */
export function baseAmounts(lines: NormalisedLine[], ctx: BaseContext): { lines: BasedLine[]; differences: BasedLine[] } {
  const round = (d: Dec) => d.toDecimalPlaces(ctx.baseMinorUnits, Dec.ROUND_HALF_UP);
  // amount × factor, rounded; a zero, or an amount already in base units at a factor of 1, as it is.
  const times = (d: Dec, factor: Dec) =>
    d.isZero() || (factor.eq(1) && d.decimalPlaces() <= ctx.baseMinorUnits) ? d : round(d.times(factor));
  const kind = new Map<BasedLine, 'explicit' | 'carrying' | 'rate'>();
  const based: BasedLine[] = lines.map((l) => {
    let out: BasedLine;
    if (l.base) {
      out = { ...l, baseDebit: l.base.debit, baseCredit: l.base.credit };
      kind.set(out, 'explicit');
      return out;
    }
    const ratio = l.baseAt === 'carrying' ? ctx.carrying(l) : null;
    const factor = ratio && ratio.gt(0) ? ratio : ctx.rate(l.currency);
    // Object.assign, not a spread: a quarter less CPU per entry in batch posting (docs/performance.md §12).
    out = Object.assign({}, l, { baseDebit: times(l.debit, factor), baseCredit: times(l.credit, factor) });
    kind.set(out, ratio && ratio.gt(0) ? 'carrying' : 'rate');
    return out;
  });

  const differences: BasedLine[] = [];
  const currencies = [...new Set(based.map((l) => l.currency))];
  for (const currency of currencies) {
    const group = based.filter((l) => l.currency === currency);
    const diff = group.reduce((s, l) => s.plus(l.baseDebit).minus(l.baseCredit), new Dec(0));
    if (diff.isZero()) continue;
    const carried = group.filter((l) => l.baseAt === 'carrying' && kind.get(l) !== 'explicit');
    if (carried.length && ctx.fxDifferenceAccount) {
      const resellers = new Set(carried.map((l) => l.resellerId));
      differences.push({
        accountCode: ctx.fxDifferenceAccount,
        resellerId: resellers.size === 1 ? carried[0].resellerId : null,
        currency,
        debit: new Dec(0),
        credit: new Dec(0),
        baseDebit: diff.isNegative() ? diff.neg() : new Dec(0),
        baseCredit: diff.isPositive() ? diff : new Dec(0),
      });
      continue;
    }
    // Short side: credits when debits exceed (diff > 0), else debits.
    const shortSide = (l: BasedLine) => (diff.isPositive() ? l.credit.gt(0) : l.debit.gt(0));
    const candidates = group.filter((l) => shortSide(l) && kind.get(l) === 'rate');
    const pool = candidates.length ? candidates : group.filter((l) => shortSide(l) && kind.get(l) !== 'explicit');
    if (!pool.length) continue; // nothing to adjust: the caller reports the entry unbalanced in base
    const target = pool.reduce((a, b) => (b.debit.plus(b.credit).gt(a.debit.plus(a.credit)) ? b : a));
    if (diff.isPositive()) target.baseCredit = target.baseCredit.plus(diff);
    else target.baseDebit = target.baseDebit.plus(diff.neg());
  }
  return { lines: based, differences };
}

/** Σ base debit − Σ base credit of some lines. */
export function baseDifference(lines: BasedLine[]): Dec {
  return lines.reduce((s, l) => s.plus(l.baseDebit).minus(l.baseCredit), new Dec(0));
}
