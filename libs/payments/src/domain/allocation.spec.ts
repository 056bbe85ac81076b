import fc from 'fast-check';
import { Dec } from '#disty/core';
import { planOldestFirst } from './allocation';

const cents = (min: number, max: number) => fc.integer({ min, max }).map((n) => new Dec(n).div(100));

describe('oldest-first allocation', () => {
  it('pays the oldest invoices first and leaves the rest unapplied', () => {
    const plan = planOldestFirst(new Dec('150'), [
      { id: 'a', due: new Dec('100') },
      { id: 'b', due: new Dec('0') },
      { id: 'c', due: new Dec('80') },
    ]);
    expect(plan.allocations.map((a) => [a.invoiceId, a.amount.toFixed(2)])).toEqual([
      ['a', '100.00'],
      ['c', '50.00'],
    ]);
    expect(plan.leftover.toFixed(2)).toBe('0.00');
    expect(planOldestFirst(new Dec('10'), []).leftover.toFixed()).toBe('10');
  });

  it('never allocates more than is due or paid, and loses nothing (property)', () => {
    fc.assert(
      fc.property(cents(0, 10_000_000), fc.array(cents(-1000, 1_000_000), { maxLength: 20 }), (amount, dues) => {
        const invoices = dues.map((due, i) => ({ id: String(i), due }));
        const { allocations, leftover } = planOldestFirst(amount, invoices);
        const total = allocations.reduce((s, a) => s.plus(a.amount), new Dec(0));
        expect(total.plus(leftover).eq(amount)).toBe(true);
        for (const a of allocations) {
          expect(a.amount.gt(0)).toBe(true);
          expect(a.amount.lte(invoices[Number(a.invoiceId)].due)).toBe(true);
        }
        // only the last allocated invoice may be partly paid
        allocations.slice(0, -1).forEach((a) => expect(a.amount.eq(invoices[Number(a.invoiceId)].due)).toBe(true));
        const positive = invoices.reduce((s, i) => (i.due.gt(0) ? s.plus(i.due) : s), new Dec(0));
        if (amount.lte(positive)) expect(leftover.isZero()).toBe(true);
      }),
    );
  });
});
