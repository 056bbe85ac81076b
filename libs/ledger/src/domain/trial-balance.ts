import { Currency, Dec, moneyString } from '#disty/core';
import { AccountType, isDebitNormal } from './accounts';

/**
 * The trial balance's rows, pure: every account of the chart in code order with the debits and
 * credits summed for it (none: zero) and its balance on its normal side, and the two totals.
 */
export function trialBalanceRows(
  chart: Map<string, { name: string; type: AccountType }>,
  sums: Array<{ account_code: string; debit: string; credit: string }>,
  currency: Currency,
) {
  const byCode = new Map(sums.map((r) => [r.account_code, r]));
  let totalDebit = new Dec(0);
  let totalCredit = new Dec(0);
  const rows = [...chart.entries()].map(([code, a]) => {
    const r = byCode.get(code);
    const debit = new Dec(r?.debit ?? 0);
    const credit = new Dec(r?.credit ?? 0);
    totalDebit = totalDebit.plus(debit);
    totalCredit = totalCredit.plus(credit);
    const balance = isDebitNormal(a.type) ? debit.minus(credit) : credit.minus(debit);
    return {
      accountCode: code,
      name: a.name,
      type: a.type,
      debit: moneyString(debit, currency),
      credit: moneyString(credit, currency),
      balance: moneyString(balance, currency),
    };
  });
  return {
    rows,
    totals: { debit: moneyString(totalDebit, currency), credit: moneyString(totalCredit, currency) },
    balanced: totalDebit.eq(totalCredit),
  };
}
