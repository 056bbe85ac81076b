import { Dec } from '#disty/core';

export interface DueInvoice {
  id: string;
  due: Dec;
}

/**
 * Oldest-first application of an amount to invoices given oldest first: each takes what it has
 * due until the amount runs out; what remains is unapplied cash.
 */
export function planOldestFirst(
  amount: Dec,
  invoices: DueInvoice[],
): { allocations: Array<{ invoiceId: string; amount: Dec }>; leftover: Dec } {
  let left = Dec.max(amount, 0);
  const allocations: Array<{ invoiceId: string; amount: Dec }> = [];
  for (const inv of invoices) {
    if (left.isZero()) break;
    if (!inv.due.gt(0)) continue;
    const take = Dec.min(left, inv.due);
    allocations.push({ invoiceId: inv.id, amount: take });
    left = left.minus(take);
  }
  return { allocations, leftover: left };
}
