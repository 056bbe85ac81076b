import fc from 'fast-check';
import { Dec } from '#disty/core';
import { planWriteOff, writableOff, WriteOffSide } from './write-off';

const side = (open: string, gross: string, tax: string): WriteOffSide => ({
  open: new Dec(open),
  uncreditedGross: new Dec(gross),
  uncreditedTax: new Dec(tax),
});

describe('planWriteOff', () => {
  it('splits the tax out of a hardware-only write-off at the invoice’s tax ratio', () => {
    const plan = planWriteOff(new Dec('550.00'), { HARDWARE: side('550.00', '1100.00', '100.00'), CLOUD: side('0', '0', '0') }, 'AUD')!;
    expect([plan.parts.HARDWARE.toFixed(2), plan.parts.CLOUD.toFixed(2), plan.net.toFixed(2), plan.tax.toFixed(2)]).toEqual([
      '550.00',
      '0.00',
      '500.00',
      '50.00',
    ]);
  });

  it('splits across credit lines pro rata to what is open, each line at its own tax ratio', () => {
    const plan = planWriteOff(
      new Dec('100.00'),
      { HARDWARE: side('300.00', '1100.00', '100.00'), CLOUD: side('100.00', '115.00', '15.00') },
      'AUD',
    )!;
    expect([plan.parts.HARDWARE.toFixed(2), plan.parts.CLOUD.toFixed(2)]).toEqual(['75.00', '25.00']);
    // 75 × 100/1100 = 6.82; 25 × 15/115 = 3.26
    expect(plan.tax.toFixed(2)).toBe('10.08');
    expect(plan.net.toFixed(2)).toBe('89.92');
  });

  it('refuses more than is open, nothing, and never writes off a credit side', () => {
    const sides = { HARDWARE: side('50.00', '110.00', '10.00'), CLOUD: side('-20.00', '-22.00', '-2.00') };
    expect(writableOff(sides).toFixed(2)).toBe('50.00');
    expect(planWriteOff(new Dec('50.01'), sides, 'AUD')).toBeNull();
    expect(planWriteOff(new Dec('0'), sides, 'AUD')).toBeNull();
    expect(planWriteOff(new Dec('50.00'), sides, 'AUD')!.parts.CLOUD.toFixed(2)).toBe('0.00');
  });

  it('conserves the amount: parts sum to it, none beyond its line’s open amount, net + tax = amount, tax within the line’s tax', () => {
    const cents = (min: number, max: number) => fc.integer({ min, max }).map((n) => new Dec(n).div(100));
    fc.assert(
      fc.property(
        cents(0, 1_000_000),
        cents(0, 1_000_000),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 10_000 }),
        (hw, cl, ratePct, share) => {
          const mk = (open: Dec): WriteOffSide => {
            const gross = open.times(2);
            return {
              open,
              uncreditedGross: gross,
              uncreditedTax: gross
                .times(ratePct)
                .div(100 + ratePct)
                .toDecimalPlaces(2),
            };
          };
          const sides = { HARDWARE: mk(hw), CLOUD: mk(cl) };
          const open = writableOff(sides);
          const amount = open.times(share).div(10_000).toDecimalPlaces(2, Dec.ROUND_DOWN);
          const plan = planWriteOff(amount, sides, 'AUD');
          if (!amount.gt(0)) return expect(plan).toBeNull();
          expect(plan).not.toBeNull();
          expect(plan!.parts.HARDWARE.plus(plan!.parts.CLOUD).eq(amount)).toBe(true);
          expect(plan!.parts.HARDWARE.lte(hw) && plan!.parts.CLOUD.lte(cl)).toBe(true);
          expect(plan!.parts.HARDWARE.gte(0) && plan!.parts.CLOUD.gte(0)).toBe(true);
          expect(plan!.net.plus(plan!.tax).eq(amount)).toBe(true);
          expect(plan!.tax.gte(0) && plan!.tax.lte(amount)).toBe(true);
          expect(plan!.tax.decimalPlaces()).toBeLessThanOrEqual(2);
        },
      ),
    );
  });
});
