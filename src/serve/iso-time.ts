/** A stored time (ms since the epoch, or null) as the API shows it: ISO 8601, or null. */
export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
