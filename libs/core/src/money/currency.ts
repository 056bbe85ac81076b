/** ISO 4217 currencies Disty trades in, with their minor units. */
export const CURRENCY_MINOR_UNITS = {
  AUD: 2,
  USD: 2,
  EUR: 2,
  NZD: 2,
  GBP: 2,
  JPY: 0,
} as const;

export type Currency = keyof typeof CURRENCY_MINOR_UNITS;
export const CURRENCIES = Object.keys(CURRENCY_MINOR_UNITS) as Currency[];

export function isCurrency(value: unknown): value is Currency {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CURRENCY_MINOR_UNITS, value);
}

export function minorUnits(currency: Currency): number {
  return CURRENCY_MINOR_UNITS[currency];
}
