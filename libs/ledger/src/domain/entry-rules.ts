import { Currency, Dec, toDec } from '#disty/core';

/**
 * How a line's base (reporting-currency) amount is found (docs/accounting.md §10): `rate` (the
 * default) at the rate of the entry's date; `carrying` at the account's carrying value, i.e.
 * amount × base balance / currency balance of that account, reseller and currency before the
 * entry (a receivable relieved at what it was booked at, so the rate change shows as a difference).
 */
export type BaseAt = 'rate' | 'carrying';

export interface EntryLine {
  accountCode: string;
  resellerId?: string | null;
  currency: Currency;
  debit?: Dec | string | null;
  credit?: Dec | string | null;
  /** Optional: how the base amount is found (default `rate`). Ignored when a base amount is given. */
  baseAt?: BaseAt;
  /**
   * Optional explicit base amounts (revaluation, year-end close). A line with neither debit nor
   * credit but one of these is a base-only line: a foreign-exchange difference with no amount in
   * its own currency.
   */
  baseDebit?: Dec | string | null;
  baseCredit?: Dec | string | null;
}

export interface NormalisedLine {
  accountCode: string;
  resellerId: string | null;
  currency: Currency;
  debit: Dec;
  credit: Dec;
  baseAt?: BaseAt;
  /** The explicit base amounts, when the caller gave them. */
  base?: { debit: Dec; credit: Dec } | null;
}

export type EntryProblem =
  | { kind: 'too-few-lines'; count: number }
  | { kind: 'one-side'; index: number }
  | { kind: 'unbalanced'; currency: Currency; debit: Dec; credit: Dec };

/**
 * Double-entry rules, pure: at least two lines, each with exactly one positive side, debits equal
 * credits in every currency. Returns the lines normalised (zeros for the absent side), in a fixed
 * order (account, reseller, currency) so that concurrent postings lock balances in the same order.
 */
export function checkEntry(lines: EntryLine[]): { lines: NormalisedLine[]; problems: EntryProblem[] } {
  const problems: EntryProblem[] = [];
  if (lines.length < 2) problems.push({ kind: 'too-few-lines', count: lines.length });
  const normalised = lines.map((l, index): NormalisedLine => {
    const debit = dec(l.debit);
    const credit = dec(l.credit);
    const explicit = l.baseDebit != null || l.baseCredit != null;
    const base = explicit ? { debit: new Dec(l.baseDebit ?? 0), credit: new Dec(l.baseCredit ?? 0) } : null;
    const oneSide = (debit.gt(0) && credit.isZero()) || (credit.gt(0) && debit.isZero());
    const baseOnly = debit.isZero() && credit.isZero() && !!base && oneSideOf(base);
    const baseValid = !base || (!base.debit.isNegative() && !base.credit.isNegative() && !(base.debit.gt(0) && base.credit.gt(0)));
    if (!(oneSide || baseOnly) || !baseValid) problems.push({ kind: 'one-side', index });
    const out: NormalisedLine = {
      accountCode: l.accountCode,
      resellerId: l.resellerId ?? null,
      currency: l.currency,
      debit,
      credit,
    };
    if (l.baseAt) out.baseAt = l.baseAt;
    if (base) out.base = base;
    return out;
  });
  const totals = new Map<Currency, { debit: Dec; credit: Dec }>();
  for (const l of normalised) {
    const t = totals.get(l.currency) ?? { debit: new Dec(0), credit: new Dec(0) };
    totals.set(l.currency, { debit: t.debit.plus(l.debit), credit: t.credit.plus(l.credit) });
  }
  for (const [currency, t] of totals) {
    if (!t.debit.eq(t.credit)) problems.push({ kind: 'unbalanced', currency, ...t });
  }
  const keyed = normalised.map((l) => ({ l, key: `${l.accountCode}|${l.resellerId ?? ''}|${l.currency}` }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { lines: keyed.map((k) => k.l), problems };
}

const ZERO = new Dec(0);

/** An amount as a Dec (core's toDec: a Dec as it is, anything else parsed), absent as zero. */
function dec(v: Dec | string | null | undefined): Dec {
  return v == null ? ZERO : toDec(v);
}

function oneSideOf(b: { debit: Dec; credit: Dec }): boolean {
  return (b.debit.gt(0) && b.credit.isZero()) || (b.credit.gt(0) && b.debit.isZero());
}

/** The mirror of an entry: every debit becomes a credit and the reverse, base amounts included. */
export function mirrorLines(lines: NormalisedLine[]): NormalisedLine[] {
  return lines.map((l) => ({
    ...l,
    debit: l.credit,
    credit: l.debit,
    base: l.base ? { debit: l.base.credit, credit: l.base.debit } : l.base,
  }));
}
