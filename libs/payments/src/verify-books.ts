import { ServiceConservationService } from '#disty/invoicing';
import { LedgerService } from '#disty/ledger';
import { ReconciliationService } from './reconciliation.service';

/**
 * What `npm run ledger:verify` reports: the ledger's own consistency problems, then every
 * reconciliation difference (control accounts, among them 2050 and 2000 against purchasing's
 * subledgers, signs, receivables subledger, deferred revenue per charge), one line each with
 * its check, reseller, line, expected and actual, then (given `conservation`) every billing period
 * whose invoiced amount is not the value of its service. Empty when the books are right.
 */
export async function verifyBooks(
  ledger: LedgerService,
  reconciliation: ReconciliationService,
  conservation?: ServiceConservationService,
): Promise<string[]> {
  const problems = await ledger.verify();
  const rec = await reconciliation.reconcile(null);
  for (const d of rec.differences) {
    problems.push(
      `${d.section}/${d.check} ${d.account}${d.creditLine ? ` ${d.creditLine}` : ''} reseller ${d.resellerId ?? '(none)'} ${d.currency}` +
        `${d.invoiceId ? ` invoice ${d.invoiceId}` : ''}: expected ${d.expected}, actual ${d.actual} (${d.message})`,
    );
  }
  for (const d of (await conservation?.check()) ?? []) {
    problems.push(
      `subscriptions/${d.check} subscription ${d.subscriptionId} reseller ${d.resellerId} period ${d.periodStart}..${d.periodEnd}: ` +
        `expected ${d.expected}, actual ${d.actual} (${d.message})`,
    );
  }
  return problems;
}
