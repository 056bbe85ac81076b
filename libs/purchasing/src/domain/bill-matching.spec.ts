import fc from 'fast-check';
import { Dec } from '#disty/core';
import { AccrualCandidate, billPosting, BillLineInput, matchBill, shareByReseller, sum } from './bill-matching';

const accrual = (
  id: string,
  sku: string,
  quantity: string,
  amount: string,
  accruedOn = '2026-03-10',
  resellerId: string | null = 'r1',
): AccrualCandidate => ({
  id,
  sku,
  resellerId,
  accruedOn,
  quantity: new Dec(quantity),
  amount: new Dec(amount),
});
const line = (sku: string | null, quantity: number, unitCost: string, tax = '0', allowUnmatched = false): BillLineInput => ({
  sku,
  quantity: new Dec(quantity),
  unitCost: new Dec(unitCost),
  tax: new Dec(tax),
  allowUnmatched,
});
const signed = (l: { debit?: Dec; credit?: Dec }) => (l.debit ?? new Dec(0)).minus(l.credit ?? 0);

describe('vendor bill matching', () => {
  it('matches whole accruals oldest first up to the line quantity, skipping one that does not fit', () => {
    const m = matchBill(
      [line('A', 10, '10.00')],
      [
        accrual('a3', 'A', '4', '40', '2026-03-20'),
        accrual('a1', 'A', '6', '60', '2026-02-01'),
        accrual('a2', 'A', '6', '60', '2026-03-01'),
      ],
      'AUD',
    );
    expect(m.lines[0].matched.map((a) => a.id)).toEqual(['a1', 'a3']);
    expect(m.lines[0]).toMatchObject({
      matchedQuantity: new Dec(10),
      matchedAmount: new Dec(100),
      variance: new Dec(0),
    });
    expect(m.unmatched).toEqual([]);
  });

  it('lists a line without SKU or without a fitting accrual as unmatched unless allowed; an allowed one is all variance', () => {
    const m = matchBill(
      [line(null, 1, '5'), line('B', 1, '5'), line('A', 1, '5'), line(null, 2, '7.5', '1.50', true)],
      [accrual('a1', 'A', '2', '8')],
      'AUD',
    );
    expect(m.unmatched).toEqual([0, 1, 2]);
    expect(m.lines[3]).toMatchObject({
      net: new Dec(15),
      matched: [],
      variance: new Dec(15),
      gross: new Dec('16.5'),
    });
  });

  it('posts 2050 per accrual reseller, 5900 the variance (a credit when negative), 1300 tax, 2000 gross', () => {
    const m = matchBill(
      [line('A', 5, '105', '52.50'), line('B', 5, '9.50', '4.75')],
      [
        accrual('a1', 'A', '2', '200', '2026-02-10', 'r1'),
        accrual('a2', 'A', '3', '300', '2026-03-01', 'r2'),
        accrual('b1', 'B', '5', '50', '2026-03-05', 'r1'),
      ],
      'AUD',
    );
    const posting = billPosting(m, 'AUD').map((l) => [l.accountCode, l.resellerId, signed(l).toFixed(2)]);
    expect(posting).toEqual([
      ['2050', 'r1', '250.00'],
      ['2050', 'r2', '300.00'],
      ['5900', 'r1', '7.50'],
      ['5900', 'r2', '15.00'],
      ['1300', null, '57.25'],
      ['2000', null, '-629.75'],
    ]);
  });

  it('shares a variance among resellers so the shares add up exactly', () => {
    const m = matchBill(
      [line('A', 3, '10.01')],
      [
        accrual('a', 'A', '1', '10', '2026-03-01', 'x'),
        accrual('b', 'A', '1', '10', '2026-03-02', 'y'),
        accrual('c', 'A', '1', '10', '2026-03-03', 'z'),
      ],
      'AUD',
    );
    const shares = shareByReseller(m.lines[0], 'AUD');
    expect(sum([...shares.values()]).toFixed()).toBe('0.03');
    expect([...shares.values()].every((s) => s.decimalPlaces() <= 2)).toBe(true);
  });

  it('never matches an accrual twice nor beyond a line’s quantity, and the posting balances with 2050 = matched (property)', () => {
    const skus = ['A', 'B', 'C'];
    const arbAccrual = fc.record({
      sku: fc.constantFrom(...skus),
      quantity: fc.integer({ min: 1, max: 5 }),
      cents: fc.integer({ min: 1, max: 100_000 }),
      day: fc.integer({ min: 1, max: 28 }),
      reseller: fc.constantFrom('r1', 'r2', 'r3', null),
    });
    const arbLine = fc.record({
      sku: fc.option(fc.constantFrom(...skus, 'Z'), { nil: null }),
      quantity: fc.integer({ min: 1, max: 12 }),
      unitCents: fc.integer({ min: 1, max: 50_000 }),
      taxCents: fc.integer({ min: 0, max: 10_000 }),
      allow: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(arbAccrual, { maxLength: 25 }), fc.array(arbLine, { minLength: 1, maxLength: 8 }), (as, ls) => {
        const candidates = as.map((a, i) =>
          accrual(
            `id-${String(i).padStart(3, '0')}`,
            a.sku,
            String(a.quantity),
            new Dec(a.cents).div(100).toFixed(),
            `2026-03-${String(a.day).padStart(2, '0')}`,
            a.reseller,
          ),
        );
        const lines = ls.map((l) =>
          line(l.sku, l.quantity, new Dec(l.unitCents).div(100).toFixed(), new Dec(l.taxCents).div(100).toFixed(), l.allow),
        );
        const m = matchBill(lines, candidates, 'AUD');
        const ids = m.lines.flatMap((l) => l.matched.map((a) => a.id));
        expect(new Set(ids).size).toBe(ids.length);
        m.lines.forEach((l, i) => {
          expect(l.matchedQuantity.lte(lines[i].quantity)).toBe(true);
          expect(l.matched.every((a) => a.sku === lines[i].sku)).toBe(true);
          expect(l.variance.eq(l.net.minus(l.matchedAmount))).toBe(true);
          expect(m.unmatched.includes(i)).toBe(!l.matched.length && !lines[i].allowUnmatched);
        });
        const posting = billPosting(m, 'AUD');
        expect(sum(posting.map(signed)).isZero()).toBe(true);
        expect(posting.every((l) => (l.debit ?? new Dec(0)).gt(0) !== (l.credit ?? new Dec(0)).gt(0))).toBe(true);
        const of = (code: string) => sum(posting.filter((l) => l.accountCode === code).map(signed));
        expect(of('2050').eq(m.matched)).toBe(true);
        expect(of('5900').eq(m.variance)).toBe(true);
        expect(of('2000').negated().eq(m.gross)).toBe(true);
        // Per reseller, 2050's debit is exactly what that reseller's matched accruals were.
        for (const r of ['r1', 'r2', 'r3', null]) {
          const mine = m.lines.flatMap((l) => l.matched).filter((a) => a.resellerId === r);
          expect(
            sum(posting.filter((l) => l.accountCode === '2050' && l.resellerId === r).map(signed)).eq(sum(mine.map((a) => a.amount))),
          ).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
