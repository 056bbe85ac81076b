import fc from 'fast-check';
import { Dec } from '#disty/core';
import { grossMargin } from './margin';

describe('grossMargin', () => {
  it('is revenue minus cost, as a share of revenue', () => {
    expect(grossMargin(new Dec('1000.00'), new Dec('750.00'))).toEqual({
      margin: new Dec('250.00'),
      marginPercent: new Dec('25'),
    });
    expect(grossMargin(new Dec('3'), new Dec('2')).marginPercent?.toFixed()).toBe('33.33');
    expect(grossMargin(new Dec('100'), new Dec('130')).marginPercent?.toFixed()).toBe('-30');
  });

  it('has no percentage without revenue', () => {
    expect(grossMargin(new Dec(0), new Dec('5')).marginPercent).toBeNull();
  });

  it('margin + cost = revenue exactly, for any amounts in cents', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 12n }), (r, c) => {
        const revenue = new Dec(r.toString()).div(100);
        const cost = new Dec(c.toString()).div(100);
        expect(grossMargin(revenue, cost).margin.plus(cost).eq(revenue)).toBe(true);
      }),
    );
  });
});
