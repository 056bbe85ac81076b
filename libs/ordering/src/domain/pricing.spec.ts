import fc from 'fast-check';
import { CURRENCIES, Currency, Dec, minorUnits } from '#disty/core';
import { lineCost, orderStatus, priceOrder, PricingLine, splitLineAmounts, splitLineCost } from './pricing';

const currency = fc.constantFrom<Currency>(...CURRENCIES);
/** Unit prices with up to 4 decimals, below 10^10. */
const price = fc
  .tuple(fc.bigInt({ min: 0n, max: 9_999_999_999n }), fc.integer({ min: 0, max: 9999 }))
  .map(([i, f]) => new Dec(`${i}.${String(f).padStart(4, '0')}`));
const rate = fc.integer({ min: 0, max: 999_999 }).map((n) => new Dec(n).div(1_000_000));
const line: fc.Arbitrary<PricingLine> = fc.record({
  kind: fc.constantFrom('HARDWARE' as const, 'CLOUD' as const),
  quantity: fc.integer({ min: 1, max: 100_000 }),
  unitPrice: price,
  periodMonths: fc.constantFrom(1, 12, 36),
});

describe('priceOrder', () => {
  it('prices a simple cart: tax per line, half-up at the cent', () => {
    const p = priceOrder(
      [
        { kind: 'HARDWARE', quantity: 3, unitPrice: new Dec('19.99'), periodMonths: 1 },
        { kind: 'CLOUD', quantity: 7, unitPrice: new Dec('2.345'), periodMonths: 12 },
        { kind: 'HARDWARE', quantity: 1, unitPrice: new Dec('0.05'), periodMonths: 1 },
      ],
      new Dec('0.10'),
      'AUD',
    );
    expect(p.lines.map((l) => [l.net, l.tax, l.gross].map(String))).toEqual([
      ['59.97', '6', '65.97'], // tax 5.997 → 6.00
      ['196.98', '19.7', '216.68'], // 2.345 × 84 = 196.98; tax 19.698 → 19.70
      ['0.05', '0.01', '0.06'], // tax 0.005 → 0.01 (half-up)
    ]);
    expect(String(p.totals.HARDWARE.gross)).toBe('66.03');
    expect(String(p.totals.CLOUD.net)).toBe('196.98');
  });

  it('uses a fixed net when one is given (a cloud line’s first charge)', () => {
    const p = priceOrder(
      [{ kind: 'CLOUD', quantity: 2, unitPrice: new Dec('10'), periodMonths: 1, net: new Dec('20') }],
      new Dec('0.15'),
      'NZD',
    );
    expect(p.lines[0].tax.toString()).toBe('3');
    expect(p.totals.CLOUD.gross.toString()).toBe('23');
  });

  it('keeps every amount rounded, gross = net + tax, tax within half a unit of net × rate, totals exact (property)', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), rate, currency, (lines, taxRate, cur) => {
        const p = priceOrder(lines, taxRate, cur);
        const half = new Dec(1).div(new Dec(10).pow(minorUnits(cur))).div(2);
        const sums = {
          HARDWARE: [new Dec(0), new Dec(0), new Dec(0)],
          CLOUD: [new Dec(0), new Dec(0), new Dec(0)],
        };
        p.lines.forEach((a, i) => {
          for (const v of [a.net, a.tax, a.gross]) {
            expect(v.decimalPlaces()).toBeLessThanOrEqual(minorUnits(cur));
            expect(v.isNegative()).toBe(false);
          }
          expect(a.gross.eq(a.net.plus(a.tax))).toBe(true);
          const exactNet = lines[i].unitPrice.times(lines[i].quantity).times(lines[i].periodMonths);
          expect(a.net.minus(exactNet).abs().lte(half)).toBe(true);
          expect(a.tax.minus(a.net.times(taxRate)).abs().lte(half)).toBe(true);
          const s = sums[lines[i].kind];
          s[0] = s[0].plus(a.net);
          s[1] = s[1].plus(a.tax);
          s[2] = s[2].plus(a.gross);
        });
        for (const k of ['HARDWARE', 'CLOUD'] as const) {
          expect(p.totals[k].net.eq(sums[k][0])).toBe(true);
          expect(p.totals[k].tax.eq(sums[k][1])).toBe(true);
          expect(p.totals[k].gross.eq(sums[k][2])).toBe(true);
          expect(p.totals[k].gross.eq(p.totals[k].net.plus(p.totals[k].tax))).toBe(true);
        }
      }),
    );
  });

  it('does not depend on the order of the lines (property)', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), rate, currency, (lines, taxRate, cur) => {
        const a = priceOrder(lines, taxRate, cur).totals;
        const b = priceOrder([...lines].reverse(), taxRate, cur).totals;
        for (const k of ['HARDWARE', 'CLOUD'] as const) expect(a[k].gross.eq(b[k].gross)).toBe(true);
      }),
    );
  });

  it('refuses quantities that are not positive integers and rates outside [0, 1)', () => {
    const l = { kind: 'HARDWARE' as const, unitPrice: new Dec(1), periodMonths: 1 };
    expect(() => priceOrder([{ ...l, quantity: 0 }], new Dec(0), 'AUD')).toThrow(RangeError);
    expect(() => priceOrder([{ ...l, quantity: 1.5 }], new Dec(0), 'AUD')).toThrow(RangeError);
    expect(() => priceOrder([{ ...l, quantity: 1 }], new Dec(1), 'AUD')).toThrow(RangeError);
  });
});

describe('orderStatus', () => {
  it('derives the order status from its lines', () => {
    expect(orderStatus(['PENDING', 'PROVISIONED'])).toBe('PLACED');
    expect(orderStatus(['PENDING', 'SHIPPED'])).toBe('PARTIALLY_SHIPPED');
    expect(orderStatus(['SHIPPED', 'CANCELLED', 'PROVISIONED'])).toBe('FULFILLED');
    expect(orderStatus(['PROVISIONED'])).toBe('FULFILLED');
    expect(orderStatus(['CANCELLED', 'CANCELLED'])).toBe('CANCELLED');
  });
});

describe('splitLineAmounts', () => {
  const priced = (unitPrice: Dec, quantity: number, taxRate: Dec, c: Currency) => ({
    quantity,
    unitPrice,
    ...priceOrder([{ kind: 'HARDWARE', quantity, unitPrice, periodMonths: 1 }], taxRate, c).lines[0],
  });

  it('gives the shipped units their share of the line and leaves the rounding remainder with the rest', () => {
    const line = priced(new Dec('0.35'), 4, new Dec('0.10'), 'AUD'); // 1.40, tax 0.14
    const { shipped, rest } = splitLineAmounts(line, 1, 'AUD');
    expect([shipped.net, shipped.tax, shipped.gross].map(String)).toEqual(['0.35', '0.04', '0.39']); // 0.035 → 0.04
    expect([rest.net, rest.tax, rest.gross].map(String)).toEqual(['1.05', '0.1', '1.15']); // not a re-rounded 0.11
  });

  it('refuses to ship nothing, everything or a fraction', () => {
    const line = priced(new Dec('10'), 3, new Dec('0.1'), 'AUD');
    for (const q of [0, 3, 4, 1.5]) expect(() => splitLineAmounts(line, q, 'AUD')).toThrow(RangeError);
  });

  it('never leaves the last units a negative tax (6 × 4 JPY at 37.5 %, shipped one by one)', () => {
    let left = priced(new Dec('4'), 6, new Dec('0.375'), 'JPY'); // 24, tax 9
    const taxes: string[] = [];
    while (left.quantity > 1) {
      const { shipped, rest } = splitLineAmounts(left, 1, 'JPY');
      taxes.push(shipped.tax.toString());
      left = { ...rest, quantity: left.quantity - 1, unitPrice: left.unitPrice };
    }
    taxes.push(left.tax.toString());
    expect(taxes.every((t) => !t.startsWith('-'))).toBe(true);
    expect(taxes.reduce((s, t) => s + Number(t), 0)).toBe(9);
  });

  it('splits any line, repeatedly, into parts that add up to it exactly, each non-negative and in minor units', () => {
    fc.assert(
      fc.property(
        price,
        rate,
        currency,
        fc.integer({ min: 2, max: 10_000 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
        (unitPrice, taxRate, c, quantity, cuts) => {
          const line = priced(unitPrice, quantity, taxRate, c);
          const parts: Array<{ net: Dec; tax: Dec; gross: Dec }> = [];
          let left = line;
          for (const cut of cuts) {
            if (left.quantity < 2) break;
            const q = Math.min(left.quantity - 1, 1 + Math.floor(cut * (left.quantity - 1))); // 1 … quantity − 1
            const { shipped, rest } = splitLineAmounts(left, q, c);
            parts.push(shipped);
            left = { ...rest, quantity: left.quantity - q, unitPrice };
          }
          parts.push(left);
          const sum = (k: 'net' | 'tax' | 'gross') => parts.reduce((s, p) => s.plus(p[k]), new Dec(0));
          expect(sum('net').eq(line.net) && sum('tax').eq(line.tax) && sum('gross').eq(line.gross)).toBe(true);
          for (const p of parts) {
            expect(p.net.isNegative() || p.tax.isNegative()).toBe(false);
            expect(p.gross.eq(p.net.plus(p.tax))).toBe(true);
            expect(p.gross.decimalPlaces()).toBeLessThanOrEqual(minorUnits(c));
          }
        },
      ),
    );
  });
});

describe('line costs (docs/accounting.md §4)', () => {
  it('is unitCost × quantity × months rounded once, and null when the cost is not known', () => {
    expect(lineCost(new Dec('33.335'), 3, 1, 'AUD')!.toFixed(2)).toBe('100.01');
    expect(lineCost(new Dec('15'), 10, 12, 'AUD')!.toFixed(2)).toBe('1800.00');
    expect(lineCost(new Dec('0.4'), 3, 1, 'JPY')!.toFixed(0)).toBe('1');
    expect(lineCost(null, 3, 1, 'AUD')).toBeNull();
  });

  it('splits a cost between shipped and remaining units without losing or inventing a minor unit (property)', () => {
    fc.assert(
      fc.property(
        currency,
        price,
        fc.integer({ min: 2, max: 1000 }),
        fc.integer({ min: 1, max: 999 }),
        (cur, unitCost, quantity, shippedRaw) => {
          const shipped = 1 + (shippedRaw % (quantity - 1));
          const cost = lineCost(unitCost, quantity, 1, cur)!;
          const parts = splitLineCost(cost, quantity, shipped, cur);
          expect(parts.shipped!.plus(parts.rest!).eq(cost)).toBe(true);
          expect(parts.shipped!.isNegative() || parts.rest!.isNegative()).toBe(false);
          expect(parts.shipped!.decimalPlaces()).toBeLessThanOrEqual(minorUnits(cur));
        },
      ),
    );
    expect(splitLineCost(null, 5, 2, 'AUD')).toEqual({ shipped: null, rest: null });
  });
});
