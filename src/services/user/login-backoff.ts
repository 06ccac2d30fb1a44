import { backoffDelay } from '../../common/backoff-delay.js';

/** Attempts on one account that never lock it, however they end (a person mistyping, a few parallel sign-ins). */
export const FREE_LOGIN_ATTEMPTS = 10;
/** The longest an account stays locked after repeated failures. */
export const MAX_LOGIN_LOCK_MS = 15 * 60_000;

/**
 * How long the n-th login attempt since the last success makes the next one wait: nothing for the first
 * `FREE_LOGIN_ATTEMPTS`, then 1 s doubling per attempt up to `MAX_LOGIN_LOCK_MS`; attempts while locked are refused
 * unchecked and uncounted. Attempts are counted before the password is checked, so a burst of guesses in parallel is
 * throttled as surely as one after another.
 */
export function loginLockMs(attempts: number): number {
  const over = attempts - FREE_LOGIN_ATTEMPTS;
  if (over <= 0) return 0;
  return backoffDelay(over - 1, { baseMs: 1000, maxMs: MAX_LOGIN_LOCK_MS, maxDoublings: 20 });
}
