import { Dec } from '@disty/core';
import { reconcile } from './reconcile';

const item = (tenantId: string | null, name: string, quantity: string, cost: string) => ({ tenantId, item: name, sku: 'P', quantity: new Dec(quantity), cost: new Dec(cost) });

describe('vendor invoice reconciliation', () => {
  it('finds what is missing on either side, quantity and price differences, and matches the rest', () => {
    const out = reconcile(
      [item('t1', 'VM', '10', '7.00'), item('t1', 'VM', '5', '3.50'), item('t1', 'GB', '100', '0.60'), item('t2', 'VM', '1', '1.00'), item(null, 'SEAT', '3', '30.00')],
      [item('t1', 'VM', '15', '10.50'), item('t1', 'GB', '100', '0.50'), item('t3', 'VM', '2', '1.40'), item(null, 'SEAT', '2', '20.00')],
      2,
    );
    expect(out.map((i) => [i.tenantId, i.item, i.kind])).toEqual([
      [null, 'SEAT', 'QUANTITY_DIFFERENCE'], ['t1', 'GB', 'PRICE_DIFFERENCE'], ['t1', 'VM', 'MATCHED'], ['t2', 'VM', 'MISSING_IN_DISTY'], ['t3', 'VM', 'MISSING_AT_VENDOR'],
    ]);
  });
});
