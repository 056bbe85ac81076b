import { CURRENCIES, isValidCalendarDate } from '#disty/core';

/** A line's fields as read from the file (text), see usage-file.reader.ts. */
export interface LineFields {
  recordId: string | null;
  recordVersion: string | null;
  usageDate: string | null;
  quantity: string | null;
  unitCost: string | null;
  currency: string | null;
  error: string | null;
}

export interface LineProblem {
  reason: string;
  detail: string;
}

const VERSION = /^0*[1-9][0-9]{0,8}$/;
const QUANTITY = /^[0-9]{1,14}(\.[0-9]{1,6})?$/;
const UNIT_COST = /^[0-9]{1,10}(\.[0-9]{1,6})?$/;
const CURRENCY_SET = new Set<string>(CURRENCIES);

/**
 * The checks a line passes on its own (docs/consumption.md, "Rejections"), in order, before the
 * set-based ones that need the vendor's subscriptions and meters: the first failing one is the
 * line's reason; null when the line is well-formed. `closed` tells whether a month (YYYY-MM) is closed.
 */
export function lineProblem(l: LineFields, today: string, closed: (month: string) => boolean): LineProblem | null {
  if (l.error) return { reason: 'malformed', detail: l.error };
  if (!l.recordId) return { reason: 'missing-record-id', detail: 'the record id is missing' };
  if (l.recordVersion !== null && !VERSION.test(l.recordVersion)) {
    return { reason: 'bad-version', detail: `record version ${l.recordVersion} is not a whole number from 1` };
  }
  if (!l.usageDate || !isValidCalendarDate(l.usageDate)) {
    return { reason: 'bad-date', detail: `usage date ${l.usageDate ?? '(none)'} is not a date (YYYY-MM-DD)` };
  }
  if (l.usageDate > today) return { reason: 'future-date', detail: `usage date ${l.usageDate} is after today (${today})` };
  if (closed(l.usageDate.slice(0, 7))) return { reason: 'closed-month', detail: `usage date ${l.usageDate} is in a closed month` };
  if (!l.quantity || !QUANTITY.test(l.quantity)) {
    return { reason: 'bad-quantity', detail: `quantity ${l.quantity ?? '(none)'} is not a number ≥ 0 with at most 6 decimals` };
  }
  if (l.unitCost !== null && !UNIT_COST.test(l.unitCost)) {
    return { reason: 'bad-unit-cost', detail: `vendor unit cost ${l.unitCost} is not a number ≥ 0 with at most 6 decimals` };
  }
  if (l.currency !== null && !CURRENCY_SET.has(l.currency.toUpperCase())) {
    return { reason: 'bad-currency', detail: `currency ${l.currency} is not supported` };
  }
  return null;
}
