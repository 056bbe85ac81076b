/** True when the client asked for CSV (`Accept: text/csv` among the types it accepts) rather than JSON. */
export function wantsCsv(accept: string | undefined): boolean {
  return !!accept && /(^|,)\s*text\/csv\b/i.test(accept);
}
