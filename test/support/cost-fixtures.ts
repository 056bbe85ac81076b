import { randomUUID } from 'crypto';
import { Currency, Dec } from '#disty/core';
import { AccountCode, LedgerService } from '#disty/ledger';
import { CostAccrualService } from '#disty/purchasing';
import type { TestApp } from './app';

export interface TestAccrual {
  vendor: string;
  sku: string;
  resellerId: string | null;
  quantity: string;
  amount: string;
  accruedOn: string;
  currency?: Currency;
  sourceType?: 'shipment' | 'recognition' | 'usage';
}

/**
 * An accrued vendor cost as the producers write it (a shipment: debit 5000 / credit 2050, the
 * reseller on both lines, and the cost_accruals row), in one transaction of the app's DataSource,
 * so tests of vendor bills have accruals to match before the producers exist on this branch.
 */
export async function accrueCost(t: TestApp, a: TestAccrual): Promise<string> {
  const ledger = t.get(LedgerService);
  const accruals = t.get(CostAccrualService);
  const sourceType = a.sourceType ?? 'shipment';
  const currency = a.currency ?? 'AUD';
  const sourceId = randomUUID();
  const expense = sourceType === 'shipment' ? AccountCode.CostOfGoodsSold : AccountCode.CostOfCloud;
  await t.db.transaction(async (em) => {
    await ledger.post(em, {
      entryDate: a.accruedOn,
      memo: `Test accrual ${a.sku}`,
      source: { type: sourceType, id: sourceId },
      lines: [
        { accountCode: expense, resellerId: a.resellerId, currency, debit: a.amount },
        { accountCode: AccountCode.AccruedVendorCosts, resellerId: a.resellerId, currency, credit: a.amount },
      ],
    });
    await accruals.accrue(em, [
      {
        vendor: a.vendor,
        sku: a.sku,
        resellerId: a.resellerId,
        currency,
        accruedOn: a.accruedOn,
        quantity: new Dec(a.quantity),
        amount: new Dec(a.amount),
        sourceType,
        sourceId,
      },
    ]);
  });
  return sourceId;
}
