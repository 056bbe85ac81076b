import { Currency, Dec } from '@disty/core';
import { InvoiceTotals, Line } from './invoice-math';

/** A ledger line as LedgerService.post takes it (kept structural so the domain imports no module). */
export interface PostingLine {
  accountCode: string;
  resellerId: string;
  currency: Currency;
  debit?: Dec;
  credit?: Dec;
}

export const AR_ACCOUNT: Record<Line, '1100' | '1110'> = { HARDWARE: '1100', CLOUD: '1110' };
export const REVENUE_ACCOUNT: Record<Line, '4000' | '4100'> = { HARDWARE: '4000', CLOUD: '4100' };
export const TAX_ACCOUNT = '2100';
export const CREDIT_NOTES_ACCOUNT = '4900';

/**
 * A line on the side its sign says: a positive amount on its normal side, a negative one on the
 * other (a credit-only invoice reverses the usual sides); zero gives no line.
 */
export function debit(accountCode: string, amount: Dec, resellerId: string, currency: Currency): PostingLine[] {
  if (amount.isZero()) return [];
  return [amount.gt(0) ? { accountCode, resellerId, currency, debit: amount } : { accountCode, resellerId, currency, credit: amount.negated() }];
}

export function credit(accountCode: string, amount: Dec, resellerId: string, currency: Currency): PostingLine[] {
  return debit(accountCode, amount.negated(), resellerId, currency);
}

/** docs/accounting.md §3, "invoice issued": debit 1100 hardware gross, 1110 cloud gross; credit 4000/4100 net, 2100 tax. */
export function invoicePosting(t: InvoiceTotals, resellerId: string, currency: Currency): PostingLine[] {
  return [
    ...debit(AR_ACCOUNT.HARDWARE, t.HARDWARE.gross, resellerId, currency),
    ...debit(AR_ACCOUNT.CLOUD, t.CLOUD.gross, resellerId, currency),
    ...credit(REVENUE_ACCOUNT.HARDWARE, t.HARDWARE.net, resellerId, currency),
    ...credit(REVENUE_ACCOUNT.CLOUD, t.CLOUD.net, resellerId, currency),
    ...credit(TAX_ACCOUNT, t.all.tax, resellerId, currency),
  ];
}

/** docs/accounting.md §3, "credit note": debit 4900 net, 2100 tax; credit 1100/1110 (gross per credit line). */
export function creditNotePosting(t: InvoiceTotals, resellerId: string, currency: Currency): PostingLine[] {
  return [
    ...debit(CREDIT_NOTES_ACCOUNT, t.all.net, resellerId, currency),
    ...debit(TAX_ACCOUNT, t.all.tax, resellerId, currency),
    ...credit(AR_ACCOUNT.HARDWARE, t.HARDWARE.gross, resellerId, currency),
    ...credit(AR_ACCOUNT.CLOUD, t.CLOUD.gross, resellerId, currency),
  ];
}

/** Σ debit = Σ credit, as the ledger will check. */
export function balanced(lines: PostingLine[]): boolean {
  const d = lines.reduce((s, l) => s.plus(l.debit ?? 0), new Dec(0));
  const c = lines.reduce((s, l) => s.plus(l.credit ?? 0), new Dec(0));
  return d.eq(c);
}
