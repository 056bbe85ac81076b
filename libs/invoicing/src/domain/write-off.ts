import { CREDIT_LINES, CreditLine, Currency, Dec, roundMoney } from '#disty/core';
import { splitProRata } from './invoice-math';

/** What is still owed on one credit line of an invoice, and how much of its gross is tax. */
export interface WriteOffSide {
  open: Dec;
  /** Gross not credited by credit notes, and the tax in it: the ratio that splits a written-off amount. */
  uncreditedGross: Dec;
  uncreditedTax: Dec;
}

export interface WriteOffPlan {
  parts: Record<CreditLine, Dec>;
  net: Dec;
  tax: Dec;
}

/** Everything open on an invoice's debt sides (a negative side is a credit, never written off). */
export function writableOff(sides: Record<CreditLine, WriteOffSide>): Dec {
  return CREDIT_LINES.reduce((s, l) => s.plus(Dec.max(sides[l].open, 0)), new Dec(0));
}

/**
 * Splits a written-off amount across the invoice's credit lines pro rata to their open amounts
 * (splitProRata), and each line's part into tax and net in the proportion of tax in what that line
 * still bills (its uncredited gross), rounded half-up per line (docs/accounting.md §3, "write-off").
 * null when the amount exceeds what is open.
 */
export function planWriteOff(amount: Dec, sides: Record<CreditLine, WriteOffSide>, currency: Currency): WriteOffPlan | null {
  if (!amount.gt(0) || amount.gt(writableOff(sides))) return null;
  const { parts } = splitProRata(amount, { HARDWARE: sides.HARDWARE.open, CLOUD: sides.CLOUD.open }, currency);
  let tax = new Dec(0);
  for (const l of CREDIT_LINES) {
    const s = sides[l];
    if (!parts[l].gt(0) || !s.uncreditedGross.gt(0) || !s.uncreditedTax.gt(0)) continue;
    tax = tax.plus(Dec.min(roundMoney(parts[l].times(s.uncreditedTax).div(s.uncreditedGross), currency), parts[l]));
  }
  return { parts, net: amount.minus(tax), tax };
}
