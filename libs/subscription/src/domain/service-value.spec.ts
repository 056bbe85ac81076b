import fc from 'fast-check';
import { addDays, Dec } from '#disty/core';
import { billingPeriods } from './schedule';
import { cancellationCredit, quantityChangeAmount } from './proration';
import { periodServiceValue, seatDays, seatsOn, SeatStep } from './service-value';

describe('service value of a billing period', () => {
  it('counts seat-days as the day-by-day sum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 365 }),
        fc.array(fc.record({ offset: fc.integer({ min: -10, max: 40 }), quantity: fc.integer({ min: 0, max: 50 }) }), { maxLength: 6 }),
        (startOffset, raw) => {
          const [period] = billingPeriods(addDays('2026-01-01', startOffset), 'P1M', 'MONTHLY', 1);
          const steps: SeatStep[] = raw.map((r) => ({
            from: addDays(period.start, r.offset),
            quantity: r.quantity,
          }));
          let byDay = 0;
          for (let d = period.start; d <= period.end; d = addDays(d, 1)) byDay += seatsOn(steps, d);
          expect(seatDays(period, steps)).toBe(byDay);
        },
      ),
    );
  });

  it('equals the period charge plus the prorated change and cancellation amounts, within their rounding', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 800 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.nat(400),
        fc.nat(400),
        fc.integer({ min: 1, max: 99999 }),
        (startOffset, q0, q1, changeAt, cancelAt, cents) => {
          const [period] = billingPeriods(addDays('2025-01-01', startOffset), 'P1Y', 'ANNUAL', 1);
          const unitPrice = new Dec(cents).div(100);
          const change = addDays(period.start, changeAt % period.days);
          const cancel = addDays(change, cancelAt % (period.days - (changeAt % period.days)));
          const steps: SeatStep[] = [
            { from: period.start, quantity: q0 },
            { from: change, quantity: q1 },
            { from: cancel, quantity: 0 },
          ];
          const charged = unitPrice
            .times(period.months)
            .times(q0)
            .toDecimalPlaces(2, Dec.ROUND_HALF_UP)
            .plus(
              quantityChangeAmount({
                unitPrice,
                period,
                date: change,
                dayBaseQuantity: q0,
                oldQuantity: q0,
                newQuantity: q1,
                currency: 'AUD',
              }),
            )
            .plus(cancellationCredit(unitPrice, period, q1, cancel, 'AUD'));
          expect(
            charged
              .minus(periodServiceValue(period, unitPrice, steps))
              .abs()
              .lte('0.015'),
          ).toBe(true);
        },
      ),
    );
  });
});
