import { Dec } from '#disty/core';

export const ITEM_KINDS = ['MATCHED', 'MISSING_IN_DISTY', 'MISSING_AT_VENDOR', 'QUANTITY_DIFFERENCE', 'PRICE_DIFFERENCE'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/** One side's amount for an item: a tenant's meter (usage) or a SKU (seats). */
export interface SideItem {
  tenantId: string | null;
  item: string;
  sku: string | null;
  quantity: Dec;
  cost: Dec;
}

export interface ReconciledItem {
  kind: ItemKind;
  tenantId: string | null;
  item: string;
  sku: string | null;
  vendor: { quantity: Dec; cost: Dec } | null;
  accrued: { quantity: Dec; cost: Dec } | null;
}

const keyOf = (s: { tenantId: string | null; item: string }) => `${s.tenantId ?? ''}\u0000${s.item}`;

/** Sums lines of the same item (a vendor file may list a tenant's meter more than once). */
export function aggregate(items: SideItem[]): SideItem[] {
  const out = new Map<string, SideItem>();
  for (const i of items) {
    const k = keyOf(i);
    const prev = out.get(k);
    out.set(k, prev ? { ...prev, quantity: prev.quantity.plus(i.quantity), cost: prev.cost.plus(i.cost) } : { ...i });
  }
  return [...out.values()];
}

/**
 * Compares the vendor's items with what was accrued, item by item (docs/consumption.md §9): an
 * item on one side only is missing on the other; on both, a different quantity is a quantity
 * difference, the same quantity at a different cost (compared at the currency's minor units) a
 * price difference. Sorted by tenant, then item.
 */
export function reconcile(vendor: SideItem[], accrued: SideItem[], decimals: number): ReconciledItem[] {
  const v = new Map(aggregate(vendor).map((i) => [keyOf(i), i]));
  const a = new Map(aggregate(accrued).map((i) => [keyOf(i), i]));
  const out: ReconciledItem[] = [];
  for (const k of new Set([...v.keys(), ...a.keys()])) {
    const vi = v.get(k);
    const ai = a.get(k);
    const base = (vi ?? ai)!;
    let kind: ItemKind;
    if (!ai) kind = 'MISSING_IN_DISTY';
    else if (!vi) kind = 'MISSING_AT_VENDOR';
    else if (!vi.quantity.eq(ai.quantity)) kind = 'QUANTITY_DIFFERENCE';
    else if (!vi.cost.toDecimalPlaces(decimals).eq(ai.cost.toDecimalPlaces(decimals))) kind = 'PRICE_DIFFERENCE';
    else kind = 'MATCHED';
    out.push({
      kind,
      tenantId: base.tenantId,
      item: base.item,
      sku: vi?.sku ?? ai?.sku ?? null,
      vendor: vi ? { quantity: vi.quantity, cost: vi.cost } : null,
      accrued: ai ? { quantity: ai.quantity, cost: ai.cost } : null,
    });
  }
  return out.sort((x, y) => ((x.tenantId ?? '') + '\u0000' + x.item < (y.tenantId ?? '') + '\u0000' + y.item ? -1 : 1));
}
