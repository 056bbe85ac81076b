import { Currency, Dec } from '@disty/core';

export interface EntryLine {
  accountCode: string;
  resellerId?: string | null;
  currency: Currency;
  debit?: Dec | string | null;
  credit?: Dec | string | null;
}

export interface NormalisedLine {
  accountCode: string;
  resellerId: string | null;
  currency: Currency;
  debit: Dec;
  credit: Dec;
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
  const normalised = lines.map((l, index) => {
    const debit = new Dec(l.debit ?? 0);
    const credit = new Dec(l.credit ?? 0);
    const oneSide = (debit.gt(0) && credit.isZero()) || (credit.gt(0) && debit.isZero());
    if (!oneSide) problems.push({ kind: 'one-side', index });
    return { accountCode: l.accountCode, resellerId: l.resellerId ?? null, currency: l.currency, debit, credit };
  });
  const totals = new Map<Currency, { debit: Dec; credit: Dec }>();
  for (const l of normalised) {
    const t = totals.get(l.currency) ?? { debit: new Dec(0), credit: new Dec(0) };
    totals.set(l.currency, { debit: t.debit.plus(l.debit), credit: t.credit.plus(l.credit) });
  }
  for (const [currency, t] of totals) {
    if (!t.debit.eq(t.credit)) problems.push({ kind: 'unbalanced', currency, ...t });
  }
  const key = (l: NormalisedLine) => `${l.accountCode}|${l.resellerId ?? ''}|${l.currency}`;
  normalised.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return { lines: normalised, problems };
}

/** The mirror of an entry: every debit becomes a credit and the reverse. */
export function mirrorLines(lines: NormalisedLine[]): NormalisedLine[] {
  return lines.map((l) => ({ ...l, debit: l.credit, credit: l.debit }));
}
