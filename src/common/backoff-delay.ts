/**
 * How long to wait before the next attempt after `failures` failed ones in a row (0: the first retry): `baseMs`,
 * doubled per failure up to `maxDoublings` times, never more than `maxMs`. The one exponential backoff the
 * registry client, the event consumers, the Redis connection, log shipping and the login lock share.
 */
export function backoffDelay(failures: number, options: { baseMs: number; maxMs: number; maxDoublings?: number }): number {
  const doublings = Math.min(Math.max(0, Math.floor(failures)), options.maxDoublings ?? 30);
  return Math.min(options.maxMs, options.baseMs * 2 ** doublings);
}
