import { Currency, Dec } from '#disty/core';
import { AccountCode, AR_ACCOUNT, credit, debit, PostingLine, REVENUE_ACCOUNT } from '#disty/ledger';
import { InvoiceTotals } from './invoice-math';

/**
 * docs/accounting.md §3, "invoice issued": debit 1100 hardware gross, 1110 cloud gross; credit
 * 2100 tax and, for hardware, 1190 with the net of the lines whose shipment posted their revenue
 * (`shipped`: it moves from unbilled to billed receivables) and 4000 with the rest (lines shipped
 * before revenue was posted at shipment); cloud net to 2400 (deferred: recognition releases it over
 * the service days); usage net (`usage`, docs/consumption.md) to 1190: rating posted its revenue.
 */
export function invoicePosting(
  t: InvoiceTotals,
  resellerId: string,
  currency: Currency,
  shipped: Dec = new Dec(0),
  usage: Dec = new Dec(0),
): PostingLine[] {
  return [
    ...debit(AR_ACCOUNT.HARDWARE, t.HARDWARE.gross, resellerId, currency),
    ...debit(AR_ACCOUNT.CLOUD, t.CLOUD.gross, resellerId, currency),
    ...credit(AccountCode.UnbilledReceivables, shipped.plus(usage), resellerId, currency),
    ...credit(REVENUE_ACCOUNT.HARDWARE, t.HARDWARE.net.minus(shipped), resellerId, currency),
    ...credit(AccountCode.DeferredRevenue, t.CLOUD.net.minus(usage), resellerId, currency),
    ...credit(AccountCode.TaxPayable, t.all.tax, resellerId, currency),
  ];
}

/**
 * docs/accounting.md §3, "credit note": debit 2400 the credited cloud net still deferred
 * (`fromDeferred`), 4900 the rest of the net, 2100 tax; credit 1100/1110 (gross per credit line).
 */
export function creditNotePosting(t: InvoiceTotals, resellerId: string, currency: Currency, fromDeferred: Dec = new Dec(0)): PostingLine[] {
  return [
    ...debit(AccountCode.DeferredRevenue, fromDeferred, resellerId, currency),
    ...debit(AccountCode.CreditNotes, t.all.net.minus(fromDeferred), resellerId, currency),
    ...debit(AccountCode.TaxPayable, t.all.tax, resellerId, currency),
    ...credit(AR_ACCOUNT.HARDWARE, t.HARDWARE.gross, resellerId, currency),
    ...credit(AR_ACCOUNT.CLOUD, t.CLOUD.gross, resellerId, currency),
  ];
}
