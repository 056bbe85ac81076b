import { CreditLine, Dec } from '#disty/core';

/** Lines are always locked in this order (HARDWARE, then CLOUD) so concurrent reservations never deadlock. */
export function lockOrder(line: CreditLine): number {
  return line === 'HARDWARE' ? 0 : 1;
}

export interface CreditPosition {
  limit: Dec;
  openReceivables: Dec;
  reserved: Dec;
  /** CLOUD only: rated usage not yet invoiced (docs/consumption.md §7); 0 on HARDWARE. */
  unbilledUsage: Dec;
  /** openReceivables + reserved + unbilledUsage */
  exposure: Dec;
  /** limit − exposure; negative when the line is over its limit. */
  available: Dec;
}

export function creditPosition(limit: Dec, openReceivables: Dec, reserved: Dec, unbilledUsage: Dec = new Dec(0)): CreditPosition {
  const exposure = openReceivables.plus(reserved).plus(unbilledUsage);
  return { limit, openReceivables, reserved, unbilledUsage, exposure, available: limit.minus(exposure) };
}

export type ReservationVerdict = { ok: true } | { ok: false; reason: 'hold' | 'limit'; available: Dec };

/** May `requested` be reserved on a line in this position? Over-limit reservations (renewals) skip both checks. */
export function judgeReservation(position: CreditPosition, onHold: boolean, requested: Dec, allowOverLimit = false): ReservationVerdict {
  if (allowOverLimit || requested.lte(0)) return { ok: true };
  if (onHold) return { ok: false, reason: 'hold', available: position.available };
  if (requested.gt(position.available)) return { ok: false, reason: 'limit', available: position.available };
  return { ok: true };
}
