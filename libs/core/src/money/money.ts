import { Dec, toDec } from './decimal';
import { Currency, minorUnits } from './currency';

/**
 * An amount in one currency. Arithmetic keeps full precision; `round()` rounds half-up to the
 * currency's minor unit and is called only where docs/accounting.md §4 says amounts are rounded.
 */
export class Money {
  private constructor(
    readonly amount: Dec,
    readonly currency: Currency,
  ) {}

  static of(amount: Dec | string | number | bigint, currency: Currency): Money {
    if (typeof amount === 'number' && !Number.isInteger(amount)) {
      throw new TypeError('Money.of refuses non-integer JavaScript numbers; pass a decimal string');
    }
    return new Money(toDec(amount), currency);
  }

  static zero(currency: Currency): Money {
    return new Money(new Dec(0), currency);
  }

  static sum(currency: Currency, values: Money[]): Money {
    return values.reduce((acc, m) => acc.add(m), Money.zero(currency));
  }

  add(other: Money): Money {
    this.assertSameCurrency(other);
    return new Money(this.amount.plus(other.amount), this.currency);
  }

  sub(other: Money): Money {
    this.assertSameCurrency(other);
    return new Money(this.amount.minus(other.amount), this.currency);
  }

  mul(factor: Dec | string | number): Money {
    return new Money(this.amount.times(toDec(factor)), this.currency);
  }

  div(divisor: Dec | string | number): Money {
    return new Money(this.amount.div(toDec(divisor)), this.currency);
  }

  negate(): Money {
    return new Money(this.amount.negated(), this.currency);
  }

  /** Half-up at the currency's minor unit (half away from zero for negatives). */
  round(): Money {
    return new Money(this.amount.toDecimalPlaces(minorUnits(this.currency), Dec.ROUND_HALF_UP), this.currency);
  }

  isZero(): boolean {
    return this.amount.isZero();
  }

  isNegative(): boolean {
    return this.amount.isNegative() && !this.amount.isZero();
  }

  isPositive(): boolean {
    return this.amount.isPositive() && !this.amount.isZero();
  }

  equals(other: Money): boolean {
    return this.currency === other.currency && this.amount.equals(other.amount);
  }

  compare(other: Money): number {
    this.assertSameCurrency(other);
    return this.amount.comparedTo(other.amount);
  }

  gte(other: Money): boolean {
    return this.compare(other) >= 0;
  }

  /**
   * Splits this amount (rounded to minor units) into parts proportional to `ratios`, each a whole
   * number of minor units, summing exactly to the amount. Remainder units go to the parts with the
   * largest fractional remainders (ties: earliest part), so no cent is lost or created.
   */
  allocate(ratios: Array<Dec | string | number>): Money[] {
    if (ratios.length === 0) throw new RangeError('allocate needs at least one ratio');
    const weights = ratios.map((r) => toDec(r));
    if (weights.some((w) => w.isNegative())) throw new RangeError('allocate ratios must be non-negative');
    const total = weights.reduce((a, w) => a.plus(w), new Dec(0));
    const scale = new Dec(10).pow(minorUnits(this.currency));
    const units = this.round().amount.times(scale); // integral
    if (total.isZero()) {
      // Nothing to weigh by: everything to the first part.
      return weights.map((_, i) => Money.of(i === 0 ? units.div(scale) : 0, this.currency));
    }
    const exact = weights.map((w) => units.times(w).div(total));
    const floors = exact.map((e) => e.toDecimalPlaces(0, Dec.ROUND_FLOOR));
    let remainder = units.minus(floors.reduce((a, f) => a.plus(f), new Dec(0)));
    const order = exact.map((e, i) => ({ i, frac: e.minus(floors[i]) })).sort((a, b) => b.frac.comparedTo(a.frac) || a.i - b.i);
    const parts = [...floors];
    const step = remainder.isNegative() ? -1 : 1;
    for (let k = 0; !remainder.isZero(); k = (k + 1) % order.length) {
      parts[order[k].i] = parts[order[k].i].plus(step);
      remainder = remainder.minus(step);
    }
    return parts.map((p) => Money.of(p.div(scale), this.currency));
  }

  /** Fixed-point string with the currency's minor units ("1234.50"); rounds half-up. */
  toString(): string {
    return this.amount.toFixed(minorUnits(this.currency), Dec.ROUND_HALF_UP);
  }

  toJSON(): { amount: string; currency: Currency } {
    return { amount: this.toString(), currency: this.currency };
  }

  private assertSameCurrency(other: Money): void {
    if (other.currency !== this.currency) {
      throw new RangeError(`currency mismatch: ${this.currency} vs ${other.currency}`);
    }
  }
}

/** Formats a decimal as a JSON money string with the currency's minor units. */
export function moneyString(amount: Dec | string, currency: Currency): string {
  return toDec(amount).toFixed(minorUnits(currency), Dec.ROUND_HALF_UP);
}
