import fc from 'fast-check';
import { CURRENCIES, Currency, minorUnits } from './currency';
import { Dec } from './decimal';
import { Money, moneyString } from './money';

const currency = fc.constantFrom<Currency>(...CURRENCIES);
/** Decimal strings with up to 4 places, as numeric(20,4) holds them. */
const amount = fc
  .tuple(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.integer({ min: 0, max: 9999 }))
  .map(([i, f]) => `${i}.${String(f).padStart(4, '0')}`);
const ratio = fc.integer({ min: 0, max: 1_000_000 }).map(String);

describe('Money', () => {
  it('rounds half-up at the currency minor unit', () => {
    expect(Money.of('1.005', 'AUD').round().toString()).toBe('1.01');
    expect(Money.of('1.0049', 'AUD').round().toString()).toBe('1.00');
    expect(Money.of('-1.005', 'AUD').round().toString()).toBe('-1.01');
    expect(Money.of('2.5', 'JPY').round().toString()).toBe('3');
    expect(Money.of('0.125', 'USD').round().toString()).toBe('0.13');
  });

  it('rounding is half-up for any amount (property)', () => {
    fc.assert(
      fc.property(amount, currency, (a, c) => {
        const rounded = Money.of(a, c).round().amount;
        const scale = new Dec(10).pow(minorUnits(c));
        const diff = new Dec(a).minus(rounded).times(scale);
        // never further than half a unit, and exactly half only rounds away from zero
        expect(diff.abs().lte(0.5)).toBe(true);
        if (diff.abs().eq(0.5)) expect(rounded.abs().gt(new Dec(a).abs())).toBe(true);
        expect(rounded.decimalPlaces()).toBeLessThanOrEqual(minorUnits(c));
      }),
    );
  });

  it('allocation never loses or creates a minor unit (property)', () => {
    fc.assert(
      fc.property(amount, currency, fc.array(ratio, { minLength: 1, maxLength: 12 }), (a, c, ratios) => {
        const m = Money.of(a, c).round();
        const parts = m.allocate(ratios);
        expect(parts).toHaveLength(ratios.length);
        expect(Money.sum(c, parts).equals(m)).toBe(true);
        for (const p of parts) expect(p.amount.decimalPlaces()).toBeLessThanOrEqual(minorUnits(c));
        const total = ratios.reduce((s, r) => s.plus(r), new Dec(0));
        if (!total.isZero()) {
          // each part is within one minor unit of its exact share
          const unit = new Dec(1).div(new Dec(10).pow(minorUnits(c)));
          parts.forEach((p, i) => {
            const exact = m.amount.times(ratios[i]).div(total);
            expect(p.amount.minus(exact).abs().lt(unit)).toBe(true);
          });
        }
      }),
    );
  });

  it('allocates 100.00 in three without losing the cent', () => {
    expect(Money.of('100', 'AUD').allocate([1, 1, 1]).map(String)).toEqual(['33.34', '33.33', '33.33']);
    expect(Money.of('-100', 'AUD').allocate([1, 1, 1]).map(String)).toEqual(['-33.33', '-33.33', '-33.34']);
  });

  it('serialises to a string that round-trips (property)', () => {
    fc.assert(
      fc.property(amount, currency, (a, c) => {
        const m = Money.of(a, c).round();
        const json = JSON.parse(JSON.stringify(m)) as { amount: string; currency: Currency };
        expect(typeof json.amount).toBe('string');
        expect(Money.of(json.amount, json.currency).equals(m)).toBe(true);
        expect(moneyString(m.amount, c)).toBe(json.amount);
      }),
    );
  });

  it('refuses mixed currencies and fractional JavaScript numbers', () => {
    expect(() => Money.of('1', 'AUD').add(Money.of('1', 'USD'))).toThrow(/currency mismatch/);
    expect(() => Money.of(0.1, 'AUD')).toThrow(/decimal string/);
  });

  it('adds exactly where floats do not', () => {
    expect(Money.of('0.1', 'USD').add(Money.of('0.2', 'USD')).toString()).toBe('0.30');
    expect(Money.of('0.1', 'USD').add(Money.of('0.2', 'USD')).amount.eq('0.3')).toBe(true);
  });
});
