import { encodeCacheTarget, type CacheTarget } from './encode-cache-keys.js';
import { flushWhenSettled } from '../flush-when-settled.js';

/** Collects invalidations; `add` resolves once the batch holding its targets was delivered. */
export interface InvalidationBatcher {
  add(targets: readonly CacheTarget[]): Promise<void>;
}

/**
 * Coalesces the invalidations asked for before the microtask queue runs dry into one call of `deliver` with every
 * distinct target (one Redis transaction and one change-signal bump for many concurrent writes instead of one each):
 * the writes of one group commit ask for theirs as its answers resolve, so they share one delivery, and it leaves in
 * that very turn (`flushWhenSettled`) instead of waiting for the next turn's immediates behind everything the loop
 * polls meanwhile.
 * Each caller is answered only after the delivery holding its targets finished, so a write is still acknowledged only
 * after its invalidation. `deliver` never rejects (it records what it could not deliver).
 */
export function batchInvalidations(deliver: (targets: CacheTarget[]) => Promise<void>): InvalidationBatcher {
  let pending = new Map<string, CacheTarget>();
  let waiters: Array<() => void> = [];
  const flush = (): void => {
    const targets = [...pending.values()];
    const answer = waiters;
    pending = new Map();
    waiters = [];
    void deliver(targets).finally(() => answer.forEach((done) => done()));
  };
  return {
    add(targets) {
      if (waiters.length === 0) flushWhenSettled(flush);
      for (const target of targets) pending.set(encodeCacheTarget(target), target);
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}
