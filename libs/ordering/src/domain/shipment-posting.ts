import { Currency, Dec } from '#disty/core';
import { AccountCode, credit, debit, PostingLine } from '#disty/ledger';

/** The ledger's source type of a shipment's entry (its id: the shipped order line's id). */
export const SHIPMENT_SOURCE = 'shipment';

/**
 * docs/accounting.md §3, "hardware line shipped": revenue when delivered, not when invoiced.
 * Debit 1190 (unbilled receivables) and credit 4000 with the line's net; debit 5000 (cost of goods
 * sold) and credit 2050 (accrued vendor costs) with its cost, only when the cost is above zero
 * (a cost not known, null, counts as 0 and posts no cost lines). Every line carries the reseller.
 * Fewer than two lines (a zero-priced line without cost) means nothing to post.
 */
export function shipmentPosting(line: { net: Dec; cost: Dec | null }, resellerId: string, currency: Currency): PostingLine[] {
  if (line.net.isNegative()) throw new RangeError('a shipped line has a net ≥ 0');
  const cost = line.cost != null && line.cost.gt(0) ? line.cost : new Dec(0);
  return [
    ...debit(AccountCode.UnbilledReceivables, line.net, resellerId, currency),
    ...credit(AccountCode.RevenueHardware, line.net, resellerId, currency),
    ...debit(AccountCode.CostOfGoodsSold, cost, resellerId, currency),
    ...credit(AccountCode.AccruedVendorCosts, cost, resellerId, currency),
  ];
}
