import { randomUUID } from 'crypto';
import { LedgerService } from '#disty/ledger';
import type { TestApp } from './app';

/**
 * Posts an opening receivable for a reseller as a system entry (source `test-opening-balance`):
 * receivable accounts are control accounts, which a manual entry (POST /ledger/entries) may not
 * touch, so tests that need receivables in the ledger post them the way the system does.
 */
export async function postOpeningReceivable(
  t: TestApp,
  r: {
    accountCode: '1100' | '1110';
    resellerId: string;
    amount: string;
    currency?: 'AUD';
    entryDate: string;
    memo?: string;
  },
) {
  const ledger = t.get(LedgerService);
  const currency = r.currency ?? 'AUD';
  const revenue = r.accountCode === '1100' ? '4000' : '4100';
  return ledger.inTransaction((em) =>
    ledger.post(em, {
      entryDate: r.entryDate,
      memo: r.memo ?? 'Opening receivable',
      source: { type: 'test-opening-balance', id: randomUUID() },
      lines: [
        { accountCode: r.accountCode, resellerId: r.resellerId, currency, debit: r.amount },
        { accountCode: revenue, currency, credit: r.amount },
      ],
    }),
  );
}
