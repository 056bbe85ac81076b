import fc from 'fast-check';
import { Dec } from '#disty/core';
import { planCreditApplications } from './credit-plan';

const inv = (id: string, hw: string, cl: string) => ({
  id,
  open: { HARDWARE: new Dec(hw), CLOUD: new Dec(cl) },
});

describe('planCreditApplications', () => {
  it('nets a negative cloud side against the same invoice hardware side first', () => {
    const plan = planCreditApplications([inv('old', '100.00', '0'), inv('new', '2637.80', '-527.88')]);
    expect(plan).toEqual([
      {
        fromInvoiceId: 'new',
        fromLine: 'CLOUD',
        toInvoiceId: 'new',
        toLine: 'HARDWARE',
        amount: new Dec('527.88'),
      },
    ]);
  });

  it('applies to the same credit line of older invoices before the other line', () => {
    const plan = planCreditApplications([inv('a', '50.00', '30.00'), inv('b', '0', '-60.00')]);
    expect(plan.map((p) => [p.toInvoiceId, p.toLine, p.amount.toFixed(2)])).toEqual([
      ['a', 'CLOUD', '30.00'],
      ['a', 'HARDWARE', '30.00'],
    ]);
  });

  it('never applies more than a credit has or a target has open, and conserves every amount', () => {
    const amount = fc.integer({ min: -100_000, max: 100_000 }).map((n) => new Dec(n).div(100));
    fc.assert(
      fc.property(fc.array(fc.tuple(amount, amount), { minLength: 1, maxLength: 8 }), (rows) => {
        const invoices = rows.map(([h, c], i) => ({ id: String(i), open: { HARDWARE: h, CLOUD: c } }));
        const plan = planCreditApplications(invoices);
        const after = new Map(invoices.map((i) => [i.id, { ...i.open }]));
        for (const p of plan) {
          expect(p.amount.gt(0)).toBe(true);
          after.get(p.fromInvoiceId)![p.fromLine] = after.get(p.fromInvoiceId)![p.fromLine].plus(p.amount);
          after.get(p.toInvoiceId)![p.toLine] = after.get(p.toInvoiceId)![p.toLine].minus(p.amount);
        }
        const before = invoices.reduce((s, i) => s.plus(i.open.HARDWARE).plus(i.open.CLOUD), new Dec(0));
        let total = new Dec(0);
        let credits = false;
        let debts = false;
        invoices.forEach((i) => {
          for (const l of ['HARDWARE', 'CLOUD'] as const) {
            const v = after.get(i.id)![l];
            total = total.plus(v);
            // Nothing crosses zero: a credit is not over-used, a debt not over-settled.
            if (i.open[l].gte(0)) expect(v.gte(0) && v.lte(i.open[l])).toBe(true);
            else expect(v.lte(0) && v.gte(i.open[l])).toBe(true);
            if (v.lt(0)) credits = true;
            if (v.gt(0)) debts = true;
          }
        });
        expect(total.eq(before)).toBe(true);
        // No credit is left stranded beside a debt.
        expect(credits && debts).toBe(false);
      }),
    );
  });
});
