import Decimal from 'decimal.js';

/**
 * One Decimal constructor for the whole code base: 40 significant digits is far beyond
 * numeric(20,4), and ROUND_HALF_UP is the rounding docs/accounting.md §4 prescribes.
 */
export const Dec = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -30,
  toExpPos: 40,
});
export type Dec = InstanceType<typeof Dec>;

/** Strict decimal string: optional minus, digits, optional fraction. No exponents, no spaces. */
export const DECIMAL_STRING = /^-?(0|[1-9]\d{0,15})(\.\d+)?$/;

export function toDec(value: Dec | string | number | bigint): Dec {
  return value instanceof Dec ? value : new Dec(value.toString());
}
