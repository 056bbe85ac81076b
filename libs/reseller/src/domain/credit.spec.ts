import fc from 'fast-check';
import { Dec } from '#disty/core';
import { creditPosition, judgeReservation, lockOrder } from './credit';

const amount = fc.integer({ min: 0, max: 10_000_000 }).map((c) => new Dec(c).div(100));

describe('credit position and reservation rule', () => {
  it('available = limit − (open receivables + reserved), possibly negative', () => {
    const p = creditPosition(new Dec('1000'), new Dec('700'), new Dec('400'));
    expect(p.exposure.toString()).toBe('1100');
    expect(p.available.toString()).toBe('-100');
  });

  it('accepts exactly what fits and never leaves a line over its limit (property)', () => {
    fc.assert(
      fc.property(amount, amount, amount, amount, (limit, open, reserved, requested) => {
        const p = creditPosition(limit, open, reserved);
        const v = judgeReservation(p, false, requested);
        expect(v.ok).toBe(requested.isZero() || requested.lte(p.available));
        if (v.ok && !requested.isZero()) expect(open.plus(reserved).plus(requested).lte(limit)).toBe(true);
      }),
    );
  });

  it('refuses anything on a line on hold, unless over-limit is allowed (renewals)', () => {
    const p = creditPosition(new Dec('1000'), new Dec('0'), new Dec('0'));
    expect(judgeReservation(p, true, new Dec('1'))).toMatchObject({ ok: false, reason: 'hold' });
    expect(judgeReservation(p, true, new Dec('5000'), true)).toEqual({ ok: true });
    expect(judgeReservation(p, false, new Dec('5000'), true)).toEqual({ ok: true });
    expect(judgeReservation(p, false, new Dec('1000.01'))).toMatchObject({ ok: false, reason: 'limit' });
  });

  it('locks HARDWARE before CLOUD', () => {
    expect(lockOrder('HARDWARE')).toBeLessThan(lockOrder('CLOUD'));
  });
});
