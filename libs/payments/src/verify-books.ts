import { LedgerService } from '@disty/ledger';
import { ReconciliationService } from './reconciliation.service';

/**
 * What `npm run ledger:verify` reports: the ledger's own consistency problems, then every
 * reconciliation difference (control accounts, signs, receivables subledger), one line each with
 * its check, reseller, line, expected and actual. Empty when the books are right.
 */
export async function verifyBooks(ledger: LedgerService, reconciliation: ReconciliationService): Promise<string[]> {
  const problems = await ledger.verify();
  const rec = await reconciliation.reconcile(null);
  for (const d of rec.differences) {
    problems.push(
      `${d.section}/${d.check} ${d.account}${d.creditLine ? ` ${d.creditLine}` : ''} reseller ${d.resellerId ?? '(none)'} ${d.currency}` +
        `${d.invoiceId ? ` invoice ${d.invoiceId}` : ''}: expected ${d.expected}, actual ${d.actual} (${d.message})`,
    );
  }
  return problems;
}
