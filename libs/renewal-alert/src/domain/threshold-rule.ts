/**
 * The renewal-alert threshold rule (docs/api-conventions.md §8), pure so property tests can hammer it. The scan's
 * SQL implements the same rule set-based (renewal-alert.sql.ts) over `thresholdWindows`.
 *
 * With `daysLeft = termEnd − asOf`, the alert due is the smallest threshold T ≥ daysLeft (and
 * daysLeft ≥ 0); it is raised unless an alert for that term with a threshold ≤ T already exists.
 */

/** Parses "90,60,30" into distinct positive day counts, ascending. Throws naming the variable. */
export function parseThresholds(raw: string | undefined, name = 'RENEWAL_THRESHOLDS'): number[] {
  const text = (raw ?? '90,60,30').trim();
  if (!/^\d{1,4}(\s*,\s*\d{1,4})*$/.test(text)) {
    throw new Error(`${name} must be comma-separated day counts, e.g. 90,60,30 (got "${text}")`);
  }
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.some((v) => v < 1 || v > 3650)) throw new Error(`${name}: every threshold must be between 1 and 3650 days`);
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  if (sorted.length !== values.length) throw new Error(`${name}: thresholds must be distinct`);
  return sorted;
}

/** The smallest threshold ≥ daysLeft, or null when the term has ended or is further away than every threshold. */
export function dueThreshold(daysLeft: number, thresholds: readonly number[]): number | null {
  if (!Number.isInteger(daysLeft) || daysLeft < 0) return null;
  let best: number | null = null;
  for (const t of thresholds) if (t >= daysLeft && (best === null || t < best)) best = t;
  return best;
}

/** The threshold to raise now for a term that already has alerts at `raised`, or null. */
export function thresholdToRaise(daysLeft: number, thresholds: readonly number[], raised: readonly number[]): number | null {
  const due = dueThreshold(daysLeft, thresholds);
  if (due === null) return null;
  return raised.some((r) => r <= due) ? null : due;
}

/**
 * The days-left window in which each threshold is the one due: [minDays, threshold], where
 * minDays is one more than the next smaller threshold (0 for the smallest). The scan picks a
 * term's threshold with `thresholds[width_bucket(daysLeft, minDays[])]` over these starts.
 */
export function thresholdWindows(thresholds: readonly number[]): Array<{ threshold: number; minDays: number }> {
  const sorted = [...new Set(thresholds)].sort((a, b) => a - b);
  return sorted.map((threshold, i) => ({ threshold, minDays: i === 0 ? 0 : sorted[i - 1] + 1 }));
}

/** Days left until a term's end, both ends included. */
export interface DaysRange {
  from: number;
  to: number;
}

/**
 * [0, largest] split into at most `parts` contiguous ranges of near-equal length, in order, that
 * cover every day exactly once (fewer ranges when there are fewer days than parts).
 */
export function scanRanges(largest: number, parts: number): DaysRange[] {
  const days = largest + 1;
  const n = Math.max(1, Math.min(Math.floor(parts), days));
  return Array.from({ length: n }, (_, i) => ({
    from: Math.floor((i * days) / n),
    to: Math.floor(((i + 1) * days) / n) - 1,
  }));
}
