import { setImmediate as yieldTurn, setTimeout as sleep } from 'node:timers/promises';
import { isBusyError } from '../../kit/is-busy-error.js';

/** How long a write keeps retrying a lock another process holds before it fails (as SQLite's old busy timeout). */
export const LOCK_WAIT_LIMIT_MS = 10_000;

/** Longest sleep between two tries of a write that meets another process's lock. */
const MAX_RETRY_DELAY_MS = 1;

/** One write that had to wait for another connection's lock: how long, and how many tries it took. */
export type LockWaitObserver = (waitedMs: number, tries: number, gaveUp: boolean) => void;
let observer: LockWaitObserver | undefined;

/** Reports every lock wait of this process to `observe` (the instance's metrics). */
export function observeLockWaits(observe: LockWaitObserver | undefined): void {
  observer = observe;
}

/**
 * Runs a synchronous SQLite write (one statement or one transaction, rolled back whole when it throws) and, while
 * another process holds the write lock, runs it again after yielding to the event loop — a turn first, then short
 * timers growing to 1 ms, jittered — instead of sleeping inside SQLite's busy handler, which would stall every
 * request of this process. Databases are opened with busy_timeout 0, so the wait is never spent blocked. Gives up
 * with the SQLite error after `limitMs`.
 */
export async function retryWhileBusy<T>(write: () => T, limitMs = LOCK_WAIT_LIMIT_MS): Promise<T> {
  try {
    return write();
  } catch (err) {
    if (!isBusyError(err)) throw err;
  }
  const started = performance.now();
  let delay = 0;
  for (let tries = 2; ; tries++) {
    if (delay === 0) await yieldTurn();
    else await sleep(delay * (0.5 + Math.random()));
    try {
      const result = write();
      observer?.(performance.now() - started, tries, false);
      return result;
    } catch (err) {
      const waited = performance.now() - started;
      if (!isBusyError(err) || waited > limitMs) {
        observer?.(waited, tries, true);
        throw err;
      }
    }
    // Capped at 1 ms: another process holds the lock for a commit of a millisecond or two, and a longer sleep mostly
    // overshoots its release (with an 8 ms cap, a wait that outlasted 4 ms slept up to 12 ms past the release it
    // waited for); a failed try costs microseconds.
    delay = Math.min(MAX_RETRY_DELAY_MS, delay === 0 ? 0.25 : delay * 2);
  }
}
