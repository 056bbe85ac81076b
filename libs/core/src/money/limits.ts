import { Dec } from './decimal';

/**
 * The largest amount (in absolute value) any one money input or document may carry:
 * 1,000,000,000,000.00 (10^12) in its currency. Every money field of the API is checked against it
 * (`IsMoneyString`), so a single request can never approach the numeric(20,4) columns' limit
 * (10^16), and the shared aggregates (account_balances, ledger_daily_totals, numeric(30,4)) hold
 * the sum of 10^14 such documents. Beyond it: 422 `amount-out-of-range` (docs/money-integrity.md).
 */
export const MAX_DOCUMENT_AMOUNT = '1000000000000.00';
export const MAX_DOCUMENT_AMOUNT_DEC = new Dec(MAX_DOCUMENT_AMOUNT);

/** |amount| ≤ MAX_DOCUMENT_AMOUNT. */
export function withinDocumentMaximum(amount: Dec | string): boolean {
  return new Dec(amount.toString()).abs().lte(MAX_DOCUMENT_AMOUNT_DEC);
}
