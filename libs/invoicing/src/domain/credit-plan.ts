import { CREDIT_LINES, CreditLine, Dec } from '#disty/core';

/** An invoice as the credit planner sees it: its open amount per credit line (< 0: an unused credit). */
export interface CreditInvoice {
  id: string;
  open: Record<CreditLine, Dec>;
}

export interface PlannedApplication {
  fromInvoiceId: string;
  fromLine: CreditLine;
  toInvoiceId: string;
  toLine: CreditLine;
  amount: Dec;
}

const other = (l: CreditLine): CreditLine => (l === 'HARDWARE' ? 'CLOUD' : 'HARDWARE');

/**
 * Which credits go where (docs/money-integrity.md, "usable credits"). Invoices are given oldest
 * first; each unused credit (a negative open amount), oldest first, is applied:
 * 1. to the other credit line of its own invoice (a negative cloud side nets against the same
 *    invoice's hardware side first);
 * 2. then to the same credit line of the other invoices, oldest first;
 * 3. then to the other credit line of the other invoices, oldest first;
 * each target taking at most what it has open. What is left stays a credit (refundable, or used
 * by the next invoice). Pure: the input is not modified.
 */
export function planCreditApplications(invoices: CreditInvoice[]): PlannedApplication[] {
  const open = invoices.map((i) => ({
    id: i.id,
    open: { HARDWARE: i.open.HARDWARE, CLOUD: i.open.CLOUD } as Record<CreditLine, Dec>,
  }));
  const out: PlannedApplication[] = [];
  for (const src of open) {
    for (const line of CREDIT_LINES) {
      if (!src.open[line].lt(0)) continue;
      const targets: Array<{ inv: (typeof open)[number]; line: CreditLine }> = [
        { inv: src, line: other(line) },
        ...open.filter((t) => t !== src).map((inv) => ({ inv, line })),
        ...open.filter((t) => t !== src).map((inv) => ({ inv, line: other(line) })),
      ];
      for (const t of targets) {
        const credit = src.open[line].negated();
        if (!credit.gt(0)) break;
        const due = t.inv.open[t.line];
        if (!due.gt(0)) continue;
        const amount = Dec.min(credit, due);
        out.push({ fromInvoiceId: src.id, fromLine: line, toInvoiceId: t.inv.id, toLine: t.line, amount });
        src.open[line] = src.open[line].plus(amount);
        t.inv.open[t.line] = due.minus(amount);
      }
    }
  }
  return out;
}
