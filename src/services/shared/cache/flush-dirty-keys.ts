import type { CacheDirtyStore } from '../cache-dirty-store.js';
import { retryWhileBusy } from '../retry-while-busy.js';
import { decodeCacheTarget, type CacheTarget } from './encode-cache-keys.js';

/** Most recorded invalidations one flush delivers. */
export const FLUSH_BATCH = 500;

/** The background delivery of invalidations that could not reach Redis when they were made. */
export interface DirtyFlusher {
  /** One pass: delivers the oldest recorded invalidations, then forgets them; never rejects (the next tick retries). */
  flush(): Promise<void>;
  /** Stops the timer; idempotent. */
  close(): void;
}

/**
 * Starts the flusher: every `everyMs` (one pass at a time, never while Redis is not `ready()`), it hands up to
 * `FLUSH_BATCH` recorded targets to `deliver`; once they are delivered it removes them from `dirty` and calls
 * `onDelivered` (which bumps the change signal, so every instance re-reads what is still dirty).
 */
export function startDirtyFlusher(options: {
  dirty: Pick<CacheDirtyStore, 'list' | 'remove'>;
  ready: () => boolean;
  deliver: (targets: readonly CacheTarget[]) => Promise<void>;
  onDelivered: () => void;
  everyMs: number;
}): DirtyFlusher {
  const flush = async (): Promise<void> => {
    if (!options.ready()) return;
    try {
      const pending = options.dirty.list(FLUSH_BATCH);
      if (pending.length === 0) return;
      await options.deliver(pending.map(({ key }) => decodeCacheTarget(key)));
      await retryWhileBusy(() => options.dirty.remove(pending));
      options.onDelivered();
    } catch {
      // Redis (or the database) failed; the next tick retries.
    }
  };
  let flushing = false;
  const timer = setInterval(() => {
    if (flushing) return;
    flushing = true;
    void flush().finally(() => (flushing = false));
  }, options.everyMs);
  timer.unref();
  return {
    flush,
    close: () => clearInterval(timer),
  };
}
