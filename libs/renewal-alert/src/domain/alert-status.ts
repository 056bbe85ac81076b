/** The renewal alert's status workflow: OPEN → CONTACTED / WON / LOST / DISMISSED; CONTACTED → WON / LOST / DISMISSED. */
export const ALERT_STATUSES = ['OPEN', 'CONTACTED', 'WON', 'LOST', 'DISMISSED'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** Sort keys of the desk's lists (daysLeft and termEnd order alike). */
export const ALERT_SORTS = ['daysLeft', 'value', 'termEnd'] as const;
export type AlertSort = (typeof ALERT_SORTS)[number];

export const ALERT_KINDS = ['THRESHOLD', 'WINDOW'] as const;
/** THRESHOLD: a 90/60/30 alert; WINDOW: a month-to-month term's commitment-window reminder. */
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_SOURCES = ['SUBSCRIPTION', 'WARRANTY'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

/**
 * Allowed moves. An open alert is contacted, or closed straight away (the customer already renewed,
 * said no, or there is nothing to do); a contacted one is closed. WON, LOST and DISMISSED are final
 * and close the whole renewal (every threshold's alert of the term, docs/api-conventions.md).
 * Staying in the same status is always allowed (to add a note or change the assignee).
 */
export const ALERT_TRANSITIONS: Record<AlertStatus, readonly AlertStatus[]> = {
  OPEN: ['CONTACTED', 'WON', 'LOST', 'DISMISSED'],
  CONTACTED: ['WON', 'LOST', 'DISMISSED'],
  WON: [],
  LOST: [],
  DISMISSED: [],
};

export function canTransition(from: AlertStatus, to: AlertStatus): boolean {
  return from === to || ALERT_TRANSITIONS[from].includes(to);
}

export function isFinal(status: AlertStatus): boolean {
  return ALERT_TRANSITIONS[status].length === 0;
}

/** The statuses that close a renewal. */
export const FINAL_STATUSES: readonly AlertStatus[] = ALERT_STATUSES.filter(isFinal);
