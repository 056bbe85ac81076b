import fc from 'fast-check';
import { Dec } from '#disty/core';
import { reconcile } from './reconcile';

const item = (tenantId: string | null, name: string, quantity: string, cost: string) => ({
  tenantId,
  item: name,
  sku: 'P',
  quantity: new Dec(quantity),
  cost: new Dec(cost),
});

describe('vendor invoice reconciliation', () => {
  it('finds what is missing on either side, quantity and price differences, and matches the rest', () => {
    const out = reconcile(
      [
        item('t1', 'VM', '10', '7.00'),
        item('t1', 'VM', '5', '3.50'),
        item('t1', 'GB', '100', '0.60'),
        item('t2', 'VM', '1', '1.00'),
        item(null, 'SEAT', '3', '30.00'),
      ],
      [item('t1', 'VM', '15', '10.50'), item('t1', 'GB', '100', '0.50'), item('t3', 'VM', '2', '1.40'), item(null, 'SEAT', '2', '20.00')],
      2,
    );
    expect(out.map((i) => [i.tenantId, i.item, i.kind])).toEqual([
      [null, 'SEAT', 'QUANTITY_DIFFERENCE'],
      ['t1', 'GB', 'PRICE_DIFFERENCE'],
      ['t1', 'VM', 'MATCHED'],
      ['t2', 'VM', 'MISSING_IN_DISTY'],
      ['t3', 'VM', 'MISSING_AT_VENDOR'],
    ]);
  });
});

describe('vendor invoice reconciliation (properties)', () => {
  const cents = fc.integer({ min: 0, max: 1_000_000 }).map((n) => new Dec(n).div(100));
  const qty = fc.integer({ min: 0, max: 10_000 }).map((n) => new Dec(n));
  const side = fc
    .array(
      fc.record({
        tenant: fc.constantFrom('t1', 't2', null),
        item: fc.constantFrom('VM', 'GB', 'SEAT'),
        quantity: qty,
        cost: cents,
      }),
      { maxLength: 12 },
    )
    .map((xs) => xs.map((x) => ({ tenantId: x.tenant, item: x.item, sku: 'P', quantity: x.quantity, cost: x.cost })));
  const total = (xs: Array<{ cost: Dec }>) => xs.reduce((a, x) => a.plus(x.cost), new Dec(0));

  it('the items’ differences add up to the totals’ difference, and splitting a vendor line changes nothing', () => {
    fc.assert(
      fc.property(side, side, fc.nat(), (vendor, accrued, at) => {
        const items = reconcile(vendor, accrued, 2);
        const diff = items.reduce((a, i) => a.plus(i.vendor?.cost ?? 0).minus(i.accrued?.cost ?? 0), new Dec(0));
        expect(diff.eq(total(vendor).minus(total(accrued)))).toBe(true);
        if (vendor.length) {
          // The same vendor line split in two (quantity and cost halves) reconciles the same.
          const k = at % vendor.length;
          const v = vendor[k];
          const half = { ...v, quantity: v.quantity.div(2), cost: v.cost.div(2) };
          const split = [...vendor.slice(0, k), half, half, ...vendor.slice(k + 1)];
          const again = reconcile(split, accrued, 2);
          expect(again.map((i) => [i.kind, i.tenantId, i.item, i.vendor?.cost.toFixed(), i.accrued?.cost.toFixed()])).toEqual(
            items.map((i) => [i.kind, i.tenantId, i.item, i.vendor?.cost.toFixed(), i.accrued?.cost.toFixed()]),
          );
        }
      }),
    );
  });
});
