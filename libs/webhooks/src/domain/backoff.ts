/**
 * Retry schedule of a webhook delivery: after failed attempt n (1-based) the next one is due
 * base × 2^(n−1) seconds later, capped; after `maxAttempts` failures the delivery is FAILED.
 */
export function nextAttemptDelaySeconds(attempt: number, baseSeconds: number, capSeconds = 6 * 3600): number {
  return Math.min(capSeconds, baseSeconds * 2 ** Math.max(0, attempt - 1));
}

export function isExhausted(attempt: number, maxAttempts: number): boolean {
  return attempt >= maxAttempts;
}
