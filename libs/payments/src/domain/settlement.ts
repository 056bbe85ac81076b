import { Currency, Dec, minorUnits } from '#disty/core';

/** A charge's balance transaction as Stripe settled it, in major units of its own currency. */
export interface BalanceTransaction {
  currency: Currency;
  amount: Dec;
  fee: Dec;
  /** Stripe's `exchange_rate`: charge currency × rate = settlement currency; null when none was applied. */
  rate: Dec | null;
}

export interface Settlement {
  /** Stripe's fee in the invoice currency (debit 6100). */
  fee: Dec;
  /** Invoice amount − what settled, converted into the invoice currency: > 0 a loss (debit 7100), < 0 a gain (credit 7100). */
  fxDifference: Dec;
  /** What clears through 1050, in the invoice currency: amount − fee − FX difference. */
  clearing: Dec;
  /** The settlement as Stripe booked it, kept on the payment when it is in another currency. */
  settled: { currency: Currency; amount: Dec; fee: Dec; rate: Dec } | null;
}

const round = (x: Dec, c: Currency) => x.toDecimalPlaces(minorUnits(c), Dec.ROUND_HALF_UP);

/**
 * How a card payment of `amount` (invoice currency) settles (docs/accounting.md §3, "Cross-currency
 * settlement"): in the same currency the fee is Stripe's; in another one the settled amount and
 * the fee are converted back at the balance transaction's own rate, each rounded half-up to the
 * invoice currency, and what the converted settlement falls short of (or exceeds) the invoice amount
 * is the realised FX difference. A foreign settlement without a rate cannot be converted: no fee.
 */
export function settle(amount: Dec, invoiceCurrency: Currency, bt: BalanceTransaction | null): Settlement {
  const none = (fee: Dec): Settlement => ({
    fee,
    fxDifference: new Dec(0),
    clearing: amount.minus(fee),
    settled: null,
  });
  if (!bt) return none(new Dec(0));
  if (bt.currency === invoiceCurrency) return none(Dec.min(bt.fee, amount));
  if (!bt.rate || !bt.rate.gt(0)) return none(new Dec(0));
  const settledAmount = round(bt.amount.div(bt.rate), invoiceCurrency);
  const fee = Dec.min(round(bt.fee.div(bt.rate), invoiceCurrency), amount);
  const fxDifference = amount.minus(settledAmount);
  return {
    fee,
    fxDifference,
    clearing: amount.minus(fee).minus(fxDifference),
    settled: { currency: bt.currency, amount: bt.amount, fee: bt.fee, rate: bt.rate },
  };
}
