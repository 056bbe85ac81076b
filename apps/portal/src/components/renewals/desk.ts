/**
 * The renewal desk's card shape and its pure wording (docs/renewal-desk.md): the window clock, the
 * auto-renew state and the scheduled change summary. No React here, so the wording is testable alone.
 */
import type { RenewalCardView } from '../../contract';
import { locale } from '../../format';

/** The commitment window of the card's subscription (docs/commitments.md, "The window"). */
export interface CardWindow {
  closesAt: string;
  open: boolean;
}

/** The pending change at renewal of the card's subscription, as the card carries it. */
export interface CardScheduledChange {
  id: string;
  quantity: number | null;
  sku: string | null;
  term: string | null;
  billingFrequency: string | null;
  effectiveDate: string;
}

/**
 * A card with the commitment fields the API adds to it. They are optional here on purpose: an API
 * without them still type-checks, and the card shows only what it was given.
 */
export type DeskCard = RenewalCardView &
  Partial<{
    autoRenew: boolean | null;
    cancelAtTermEnd: boolean | null;
    commitmentWindow: CardWindow | null;
    scheduledChange: CardScheduledChange | null;
    kind: 'THRESHOLD' | 'WINDOW';
  }>;

const HOUR = 3_600_000;

/** A board column's name: "30 days", or "Window reminders" for threshold 0 (a month-to-month term's window reminder, api-conventions.md). */
export const thresholdLabel = (t: number): string => (t === 0 ? 'Window reminders' : `${t} days`);

/** "Window closes in 2d 4h" while open, "Window closed 3 Jan" after; null without a window. */
export function windowClock(w: CardWindow | null | undefined, now: number = Date.now()): string | null {
  if (!w?.closesAt) return null;
  const closes = new Date(w.closesAt).getTime();
  if (Number.isNaN(closes)) return null;
  if (w.open && closes > now) {
    const hours = Math.floor((closes - now) / HOUR);
    if (hours < 1) return `Window closes in ${Math.max(1, Math.ceil((closes - now) / 60_000))}m`;
    const d = Math.floor(hours / 24);
    const h = hours % 24;
    return `Window closes in ${d > 0 ? `${d}d ${h}h` : `${h}h`}`;
  }
  const sameYear = new Date(closes).getUTCFullYear() === new Date(now).getUTCFullYear();
  const day = new Intl.DateTimeFormat(locale(), {
    day: 'numeric',
    month: 'short',
    ...(sameYear ? {} : { year: 'numeric' }),
    timeZone: 'UTC',
  }).format(new Date(closes));
  return `Window closed ${day}`;
}

/** "Auto-renew on", "Auto-renew off" or "Cancels at term end"; null where it does not apply (warranties). */
export function autoRenewText(c: Pick<DeskCard, 'autoRenew' | 'cancelAtTermEnd'>): string | null {
  if (c.cancelAtTermEnd) return 'Cancels at term end';
  if (c.autoRenew === true) return 'Auto-renew on';
  if (c.autoRenew === false) return 'Auto-renew off';
  return null;
}

/** The day after `termEnd` (YYYY-MM-DD): the first day of the next term. */
function dayAfter(termEnd: string): string {
  const d = new Date(`${termEnd}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** "at renewal: 15 seats, P1M" (or "on 2027-02-01: …" for a change on another date). */
export function scheduledChangeText(
  change: (Partial<CardScheduledChange> & { effectiveDate: string }) | null | undefined,
  termEnd: string,
): string | null {
  if (!change) return null;
  const parts: string[] = [];
  if (change.quantity !== null && change.quantity !== undefined) parts.push(`${change.quantity} seat${change.quantity === 1 ? '' : 's'}`);
  if (change.sku) parts.push(change.sku);
  if (change.term) parts.push(change.term);
  if (change.billingFrequency) parts.push(change.billingFrequency.toLowerCase());
  const when = change.effectiveDate === dayAfter(termEnd) ? 'at renewal' : `on ${change.effectiveDate}`;
  return `${when}: ${parts.length ? parts.join(', ') : 'no change'}`;
}
