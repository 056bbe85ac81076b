/** The month after a `YYYY-MM` month. */
export function nextMonth(period: string): string {
  const [y, m] = period.split('-').map(Number);
  return m === 12 ? `${String(y + 1).padStart(4, '0')}-01` : `${String(y).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}`;
}

/**
 * The date an event of `date` (YYYY-MM-DD) posts on, given the closed months (YYYY-MM): the date
 * itself when its month is open, else the first day of the first open month after it; its real
 * date stays on its document and in the memo (docs/money-integrity.md).
 */
export function postingDate(date: string, closed: ReadonlySet<string>): string {
  let month = date.slice(0, 7);
  if (!closed.has(month)) return date;
  while (closed.has(month)) month = nextMonth(month);
  return `${month}-01`;
}
