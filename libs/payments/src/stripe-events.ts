import type Stripe from 'stripe';
import { EntityManager } from 'typeorm';
import { Currency, Dec, isCurrency, minorUnits } from '#disty/core';

/** Helpers shared by the Stripe webhook handlers (stripe*.service.ts): amounts, dates and the event log `stripe_events`. */

export const toMajor = (minor: number, c: Currency) => new Dec(minor).div(new Dec(10).pow(minorUnits(c)));
export const toMinor = (amount: Dec, c: Currency) => amount.times(new Dec(10).pow(minorUnits(c))).toNumber();
/** The calendar date (UTC) of a Unix timestamp in seconds. */
export const unixDate = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);
export const eventDate = (e: Stripe.Event) => unixDate(e.created);
export const idOf = (v: string | { id: string } | null | undefined) => (typeof v === 'string' ? v : (v?.id ?? null));
/** An ISO currency code from Stripe's lower-case one, or null when Disty does not know it. */
export const currencyOf = (v: unknown): Currency | null => {
  const c = String(v ?? '').toUpperCase();
  return isCurrency(c) ? c : null;
};
/** Rounds to the currency's minor units, half-up (docs/accounting.md §4). */
export const roundTo = (amount: Dec, c: Currency) => amount.toDecimalPlaces(minorUnits(c), Dec.ROUND_HALF_UP);

/** The memo suffix of an event posted on another day than it happened (docs/accounting.md §3, "Dates"). */
export const lateNote = (occurredOn: string, postedOn: string) =>
  occurredOn === postedOn ? '' : ` (occurred ${occurredOn}; its month is closed, posted on the first open day)`;

/**
 * Inserts the event (unique id) in the transaction recording its effect; false when it was already
 * recorded (a concurrent delivery won), so the caller records nothing.
 */
export async function recordStripeEvent(
  em: EntityManager,
  event: Stripe.Event,
  resellerId: string | null,
  outcome: string,
  paymentId: string | null = null,
): Promise<boolean> {
  const rows: unknown[] = await em.query(
    `INSERT INTO stripe_events (id, type, reseller_id, payment_id, outcome) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [event.id, event.type, resellerId, paymentId, outcome.slice(0, 500)],
  );
  return rows.length > 0;
}

/** Changes the recorded outcome of an event already inserted in this transaction. */
export async function setEventOutcome(em: EntityManager, eventId: string, outcome: string, paymentId: string | null = null): Promise<void> {
  await em.query(`UPDATE stripe_events SET outcome = $2, payment_id = coalesce($3, payment_id) WHERE id = $1`, [
    eventId,
    outcome.slice(0, 500),
    paymentId,
  ]);
}
