import { CREDIT_LINES, CreditLine, Currency, Dec } from '#disty/core';
import { AR_ACCOUNT } from './accounts';

/** A ledger line as LedgerService.post takes it, built by the helpers below. */
export interface PostingLine {
  accountCode: string;
  resellerId: string;
  currency: Currency;
  debit?: Dec;
  credit?: Dec;
  /** How the line's base amount is found (docs/accounting.md §10); default at the rate of the entry's date. */
  baseAt?: 'rate' | 'carrying';
}

/**
 * The lines, valued in the reporting currency at their accounts' carrying value: for a posting
 * that relieves a balance (AR paid, unapplied cash applied or refunded) so that a rate change since
 * it was booked shows as a realised difference (post with `fxDifferenceAccount: '7100'`).
 */
export function atCarrying(lines: PostingLine[]): PostingLine[] {
  return lines.map((l) => ({ ...l, baseAt: 'carrying' as const }));
}

/**
 * A line on the side its sign says: a positive amount on its normal side, a negative one on the
 * other (a credit-only invoice reverses the usual sides); zero gives no line.
 */
export function debit(accountCode: string, amount: Dec, resellerId: string, currency: Currency): PostingLine[] {
  if (amount.isZero()) return [];
  return [
    amount.gt(0) ? { accountCode, resellerId, currency, debit: amount } : { accountCode, resellerId, currency, credit: amount.negated() },
  ];
}

export function credit(accountCode: string, amount: Dec, resellerId: string, currency: Currency): PostingLine[] {
  return debit(accountCode, amount.negated(), resellerId, currency);
}

/** Credits each credit line's receivables account (1100/1110) with its amount; zero amounts give no line. */
export function receivableCredits(perLine: Record<CreditLine, Dec>, resellerId: string, currency: Currency): PostingLine[] {
  return CREDIT_LINES.flatMap((l) => credit(AR_ACCOUNT[l], perLine[l], resellerId, currency));
}

/** Debits each credit line's receivables account (1100/1110) with its amount; zero amounts give no line. */
export function receivableDebits(perLine: Record<CreditLine, Dec>, resellerId: string, currency: Currency): PostingLine[] {
  return CREDIT_LINES.flatMap((l) => debit(AR_ACCOUNT[l], perLine[l], resellerId, currency));
}

/** Σ debit = Σ credit, as the ledger will check. */
export function balanced(lines: PostingLine[]): boolean {
  const d = lines.reduce((s, l) => s.plus(l.debit ?? 0), new Dec(0));
  const c = lines.reduce((s, l) => s.plus(l.credit ?? 0), new Dec(0));
  return d.eq(c);
}
