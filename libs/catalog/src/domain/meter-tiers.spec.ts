import { Dec } from '#disty/core';
import { meterPriceProblems, meterTiers, tieredAmount } from './meter-tiers';

describe('meter tiers', () => {
  const tiers = meterTiers({
    tiers: [
      { upTo: '100', unitPrice: '1.00' },
      { upTo: null, unitPrice: '0.50' },
    ],
  });

  it('prices the units crossing a tier boundary at each tier', () => {
    expect(tieredAmount(tiers, new Dec(90), new Dec(20)).toFixed()).toBe('15');
    expect(tieredAmount(tiers, new Dec(0), new Dec(100)).toFixed()).toBe('100');
    expect(tieredAmount(tiers, new Dec(100), new Dec(10)).toFixed()).toBe('5');
  });

  it('treats a flat price as one open tier', () => {
    expect(tieredAmount(meterTiers({ unitPrice: '0.25' }), new Dec(1e6), new Dec(4)).toFixed()).toBe('1');
  });

  it('refuses both or neither of unitPrice and tiers, and unordered or unclosed tiers', () => {
    expect(meterPriceProblems({}, 'p')).toHaveLength(1);
    expect(meterPriceProblems({ unitPrice: '1', tiers: [{ upTo: null, unitPrice: '1' }] }, 'p')).toHaveLength(1);
    expect(
      meterPriceProblems(
        {
          tiers: [
            { upTo: '10', unitPrice: '1' },
            { upTo: '5', unitPrice: '1' },
          ],
        },
        'p',
      ).length,
    ).toBeGreaterThan(0);
    expect(
      meterPriceProblems(
        {
          tiers: [
            { upTo: '10', unitPrice: '1' },
            { upTo: null, unitPrice: '0.5' },
          ],
        },
        'p',
      ),
    ).toEqual([]);
  });
});
