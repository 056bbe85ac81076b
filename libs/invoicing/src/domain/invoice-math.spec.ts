import fc from 'fast-check';
import { CURRENCIES, Currency, Dec, minorUnits, Money } from '#disty/core';
import {
  agingBucket,
  amountDue,
  BillableItem,
  creditLineAmounts,
  documentNumber,
  invoiceTotals,
  priceLines,
  splitProRata,
  taxOf,
} from './invoice-math';

const currency = fc.constantFrom<Currency>(...CURRENCIES);
/** Whole minor units of a currency, as a Dec. */
const units = (c: Currency, min: number, max: number) =>
  fc.integer({ min, max }).map((n) => new Dec(n).div(new Dec(10).pow(minorUnits(c))));
const rate = fc.integer({ min: 0, max: 250_000 }).map((n) => new Dec(n).div(1_000_000));

const item = (over: Partial<BillableItem>): BillableItem => ({
  creditLine: 'HARDWARE',
  sourceType: 'order_line',
  sourceId: 'x',
  sku: 'SKU',
  description: 'd',
  quantity: 1,
  net: new Dec(0),
  ...over,
});

describe('invoice math', () => {
  it('taxes each line half-up at the minor unit', () => {
    expect(taxOf(new Dec('10.05'), new Dec('0.10'), 'AUD').toFixed()).toBe('1.01'); // 1.005 → 1.01
    expect(taxOf(new Dec('-10.05'), new Dec('0.10'), 'AUD').toFixed()).toBe('-1.01');
    expect(taxOf(new Dec('105'), new Dec('0.10'), 'JPY').toFixed()).toBe('11'); // 10.5 → 11
  });

  it('puts hardware lines first and totals per credit line equal the sum of the lines (property)', () => {
    fc.assert(
      fc.property(
        currency.chain((c) =>
          fc.tuple(
            fc.constant(c),
            fc.array(fc.tuple(fc.constantFrom<'HARDWARE' | 'CLOUD'>('HARDWARE', 'CLOUD'), units(c, -100_000, 10_000_000)), {
              minLength: 1,
              maxLength: 30,
            }),
            rate,
          ),
        ),
        ([c, raw, r]) => {
          const lines = priceLines(
            raw.map(([line, net]) => item({ creditLine: line, net })),
            r,
            c,
          );
          const firstCloud = lines.findIndex((l) => l.creditLine === 'CLOUD');
          if (firstCloud >= 0) expect(lines.slice(firstCloud).every((l) => l.creditLine === 'CLOUD')).toBe(true);
          expect(lines.map((l) => l.lineNo)).toEqual(lines.map((_, i) => i + 1));
          const t = invoiceTotals(lines);
          for (const l of lines) {
            expect(l.gross.eq(l.net.plus(l.tax))).toBe(true);
            expect(l.tax.eq(Money.of(l.net.times(r), c).round().amount)).toBe(true);
          }
          expect(t.all.gross.eq(t.HARDWARE.gross.plus(t.CLOUD.gross))).toBe(true);
          expect(t.all.tax.eq(lines.reduce((s, l) => s.plus(l.tax), new Dec(0)))).toBe(true);
        },
      ),
    );
  });

  it('splits a payment pro rata without losing a minor unit, never above a line’s open amount (property)', () => {
    fc.assert(
      fc.property(
        currency.chain((c) => fc.tuple(fc.constant(c), units(c, 0, 10_000_000), units(c, 0, 10_000_000), units(c, 1, 30_000_000))),
        ([c, hw, cl, amount]) => {
          const { parts, leftover } = splitProRata(amount, { HARDWARE: hw, CLOUD: cl }, c);
          expect(parts.HARDWARE.plus(parts.CLOUD).plus(leftover).eq(amount)).toBe(true);
          expect(parts.HARDWARE.lte(hw) && parts.CLOUD.lte(cl)).toBe(true);
          expect(parts.HARDWARE.gte(0) && parts.CLOUD.gte(0) && leftover.gte(0)).toBe(true);
          const total = hw.plus(cl);
          if (amount.lte(total)) expect(leftover.isZero()).toBe(true);
          if (!total.isZero() && amount.lt(total)) {
            // each line within one minor unit of its exact share, like Money.allocate
            const unit = new Dec(1).div(new Dec(10).pow(minorUnits(c)));
            expect(parts.HARDWARE.minus(amount.times(hw).div(total)).abs().lte(unit)).toBe(true);
            const [a, b] = Money.of(amount, c).allocate([hw, cl]);
            expect(parts.HARDWARE.minus(a.amount).abs().lte(unit) && parts.CLOUD.minus(b.amount).abs().lte(unit)).toBe(true);
          }
        },
      ),
    );
  });

  it('gives the rounding difference to the larger credit line', () => {
    // 100.00 over 2/3 and 1/3 opens: the smaller share 33.33 is rounded, the larger takes 66.67
    const { parts } = splitProRata(new Dec('100'), { HARDWARE: new Dec('200'), CLOUD: new Dec('100') }, 'AUD');
    expect([parts.HARDWARE.toFixed(2), parts.CLOUD.toFixed(2)]).toEqual(['66.67', '33.33']);
    const other = splitProRata(new Dec('0.05'), { HARDWARE: new Dec('1'), CLOUD: new Dec('1') }, 'AUD');
    expect([other.parts.HARDWARE.toFixed(2), other.parts.CLOUD.toFixed(2)]).toEqual(['0.02', '0.03']);
    const over = splitProRata(new Dec('500'), { HARDWARE: new Dec('110'), CLOUD: new Dec('55') }, 'AUD');
    expect([over.parts.HARDWARE.toFixed(2), over.parts.CLOUD.toFixed(2), over.leftover.toFixed(2)]).toEqual(['110.00', '55.00', '335.00']);
  });

  it('never credits more than the rest of a line, and crediting the rest clears its tax exactly (property)', () => {
    fc.assert(
      fc.property(
        currency.chain((c) =>
          fc.tuple(
            fc.constant(c),
            units(c, 1, 10_000_000),
            rate,
            fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 8 }),
          ),
        ),
        ([c, net, r, steps]) => {
          const tax = taxOf(net, r, c);
          let creditedNet = new Dec(0);
          let creditedTax = new Dec(0);
          for (const pct of steps) {
            const remaining = net.minus(creditedNet);
            if (remaining.isZero()) break;
            const amount = Dec.max(
              Money.of(remaining.times(pct).div(100), c).round().amount,
              new Dec(1).div(new Dec(10).pow(minorUnits(c))),
            );
            const res = creditLineAmounts({ net, tax, creditedNet, creditedTax }, amount, r, c);
            if (!res.ok) throw new Error('refused a valid credit');
            creditedNet = creditedNet.plus(res.net);
            creditedTax = creditedTax.plus(res.tax);
            expect(creditedNet.lte(net) && creditedTax.lte(tax)).toBe(true);
          }
          const rest = net.minus(creditedNet);
          if (rest.gt(0)) {
            const res = creditLineAmounts({ net, tax, creditedNet, creditedTax }, rest, r, c);
            if (!res.ok) throw new Error('refused the rest');
            expect(creditedTax.plus(res.tax).eq(tax)).toBe(true);
          }
          const over = creditLineAmounts({ net, tax, creditedNet: net, creditedTax: tax }, new Dec(1), r, c);
          expect(over.ok).toBe(false);
        },
      ),
    );
  });

  it('refuses to over-credit a line and to credit a credit line', () => {
    const line = {
      net: new Dec('100'),
      tax: new Dec('10'),
      creditedNet: new Dec('60'),
      creditedTax: new Dec('6'),
    };
    expect(creditLineAmounts(line, new Dec('40.01'), new Dec('0.1'), 'AUD')).toEqual({
      ok: false,
      creditableNet: new Dec('40'),
    });
    expect(
      creditLineAmounts(
        {
          ...line,
          net: new Dec('-5'),
          tax: new Dec('-0.5'),
          creditedNet: new Dec(0),
          creditedTax: new Dec(0),
        },
        new Dec('1'),
        new Dec('0.1'),
        'AUD',
      ).ok,
    ).toBe(false);
  });

  it('ages open amounts into buckets by days past due', () => {
    expect([-5, 0, 1, 30, 31, 60, 61, 90, 91, 400].map(agingBucket)).toEqual([
      'current',
      'current',
      '1-30',
      '1-30',
      '31-60',
      '31-60',
      '61-90',
      '61-90',
      '90+',
      '90+',
    ]);
  });

  it('numbers documents with at least six digits', () => {
    expect(documentNumber('INV', 2026, 1)).toBe('INV-2026-000001');
    expect(documentNumber('CN', 2026, 1234567)).toBe('CN-2026-1234567');
  });

  it("nets a credit line's negative open amount against what is due, never below zero (issue 13, leak 3)", () => {
    expect(amountDue({ HARDWARE: new Dec('10'), CLOUD: new Dec('-3') }).toFixed()).toBe('7');
    expect(amountDue({ HARDWARE: new Dec('3'), CLOUD: new Dec('-10') }).toFixed()).toBe('0');
  });
});
