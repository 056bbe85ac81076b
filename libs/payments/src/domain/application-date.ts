import { Dec } from '#disty/core';

/** An amount going to an invoice (issued on `issueDate`, YYYY-MM-DD). */
export interface DatedTarget<I extends { issueDate: string } = { issueDate: string }> {
  invoice: I;
  amount: Dec;
}

/**
 * Cash is never applied before it arrived nor before the invoice exists: an application of a
 * payment to an invoice is dated the later of the invoice's issue date and the payment's
 * receivedOn (docs/money-integrity.md, leak 5).
 */
export function applicationDate(issueDate: string, receivedOn: string): string {
  return issueDate > receivedOn ? issueDate : receivedOn;
}

/**
 * Splits a payment's targets into those it pays on receivedOn (invoices issued by then) and those
 * it pays later, as applications of its unapplied cash, grouped per issue date in date order.
 */
export function splitByApplicationDate<T extends DatedTarget<{ issueDate: string }>>(
  targets: T[],
  receivedOn: string,
): { now: T[]; later: Array<{ date: string; targets: T[] }> } {
  const now = targets.filter((t) => t.invoice.issueDate <= receivedOn);
  const groups = new Map<string, T[]>();
  for (const t of targets) {
    if (t.invoice.issueDate <= receivedOn || !t.amount.gt(0)) continue;
    groups.set(t.invoice.issueDate, [...(groups.get(t.invoice.issueDate) ?? []), t]);
  }
  const later = [...groups.keys()].sort().map((date) => ({ date, targets: groups.get(date)! }));
  return { now, later };
}
