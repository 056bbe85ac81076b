import fc from 'fast-check';
import { Dec } from '#disty/core';
import { releasedThrough } from './recognition-math';

describe('releasedThrough (cumulative rounding)', () => {
  it('releases 399.96 over 365 days as round(net × d / 365): 15 days = 16.44, all days = the net', () => {
    const s = { netEff: new Dec('399.96'), baseDays: 0, baseAmount: new Dec(0), days: 365, scale: 2 };
    expect(releasedThrough(s, 15).toFixed(2)).toBe('16.44');
    expect(releasedThrough(s, 365).toFixed(2)).toBe('399.96');
    expect(releasedThrough(s, 0).toFixed(2)).toBe('0.00');
  });

  it('is monotonic, moves at most one rounded daily share a day, and ends at the net exactly, also after a rebase (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10_000_000, max: 10_000_000 }),
        fc.integer({ min: 1, max: 1200 }),
        fc.nat(),
        fc.nat(),
        (cents, days, b, cut) => {
          const net = new Dec(cents).div(100);
          const baseDays = b % days;
          const first = { netEff: net, baseDays: 0, baseAmount: new Dec(0), days, scale: 2 };
          const baseAmount = releasedThrough(first, baseDays);
          const credited = net.gt(0)
            ? net
                .minus(baseAmount)
                .times(cut % 101)
                .div(100)
                .toDecimalPlaces(2)
            : new Dec(0);
          const s = { netEff: net.minus(credited), baseDays, baseAmount, days, scale: 2 };
          let prev = releasedThrough(s, baseDays);
          expect(prev.eq(baseAmount)).toBe(true);
          for (let d = baseDays + 1; d <= days; d++) {
            const cur = releasedThrough(s, d);
            expect(cur.decimalPlaces()).toBeLessThanOrEqual(2);
            if (net.gte(0)) expect(cur.gte(prev)).toBe(true);
            else expect(cur.lte(prev)).toBe(true);
            prev = cur;
          }
          expect(prev.eq(net.minus(credited))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
