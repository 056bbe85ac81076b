import fc from 'fast-check';
import { Dec } from '#disty/core';
import { settle } from './settlement';

describe('settle (cross-currency card settlement)', () => {
  it('takes the fee as Stripe reports it when the settlement is in the invoice currency', () => {
    const s = settle(new Dec('110.00'), 'AUD', {
      currency: 'AUD',
      amount: new Dec('110.00'),
      fee: new Dec('2.05'),
      rate: null,
    });
    expect([s.fee.toFixed(2), s.fxDifference.toFixed(2), s.clearing.toFixed(2), s.settled]).toEqual(['2.05', '0.00', '107.95', null]);
  });

  it('converts fee and settlement at the balance transaction rate and books the shortfall as an FX loss', () => {
    // 100.00 USD settled as 151.90 AUD (fee 4.50 AUD) at 1.52: 99.93 USD settled, 2.96 USD fee, 0.07 USD loss.
    const s = settle(new Dec('100.00'), 'USD', {
      currency: 'AUD',
      amount: new Dec('151.90'),
      fee: new Dec('4.50'),
      rate: new Dec('1.52'),
    });
    expect([s.fee.toFixed(2), s.fxDifference.toFixed(2), s.clearing.toFixed(2)]).toEqual(['2.96', '0.07', '96.97']);
    expect(s.settled).toMatchObject({ currency: 'AUD' });
  });

  it('records no fee for a foreign settlement without a rate, and none without a balance transaction', () => {
    expect(
      settle(new Dec('10.00'), 'USD', {
        currency: 'AUD',
        amount: new Dec('15.00'),
        fee: new Dec('1.00'),
        rate: null,
      }).fee.toFixed(2),
    ).toBe('0.00');
    expect(settle(new Dec('10.00'), 'USD', null).clearing.toFixed(2)).toBe('10.00');
  });

  it('always clears amount − fee − FX difference, with fee and FX in whole cents', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 5000, max: 30000 }),
        fc.integer({ min: -500, max: 500 }),
        fc.integer({ min: 0, max: 1000 }),
        (cents, rate4, drift, feeCents) => {
          const amount = new Dec(cents).div(100);
          const rate = new Dec(rate4).div(10000);
          const settledAmount = amount.times(rate).toDecimalPlaces(2).plus(new Dec(drift).div(100)).abs();
          const s = settle(amount, 'USD', {
            currency: 'AUD',
            amount: settledAmount,
            fee: new Dec(feeCents).div(100),
            rate,
          });
          expect(s.clearing.plus(s.fee).plus(s.fxDifference).eq(amount)).toBe(true);
          expect(s.fee.decimalPlaces()).toBeLessThanOrEqual(2);
          expect(s.fxDifference.decimalPlaces()).toBeLessThanOrEqual(2);
          expect(s.fee.lte(amount)).toBe(true);
        },
      ),
    );
  });
});
