import type { CacheDirtyStore } from './cache-dirty-store.js';
import { retryWhileBusy } from './retry-while-busy.js';
import type { ChangeSignal } from './change-signal.js';
import { coalesceLoads } from './cache/coalesce-loads.js';
import { createGenerationTier, type GenerationRedis } from './cache/create-generation-tier.js';
import { createLocalTier } from './cache/create-local-tier.js';
import { encodeCacheTarget, type CacheTarget } from './cache/encode-cache-keys.js';
import { startDirtyFlusher } from './cache/flush-dirty-keys.js';
import { batchInvalidations } from './cache/batch-invalidations.js';

export type { CacheTarget } from './cache/encode-cache-keys.js';

/** Outcome counters, exported as metrics. */
export type CacheOutcome = 'local' | 'hit' | 'miss' | 'coalesced' | 'bypass' | 'error';

/** Cache-aside over Redis that stays correct when Redis is down, slow, or comes back with old data. */
export interface Cache {
  /** The cached value of (ns, key), or `load()`'s (then cached). `undefined` results are not cached. */
  read<T>(ns: string, key: string, load: () => T | undefined): Promise<T | undefined>;
  /** Call after a write committed, before acknowledging it. Never throws. */
  invalidate(targets: readonly CacheTarget[]): Promise<void>;
  /** Stops the background flusher (Redis itself belongs to the caller); idempotent. */
  close(): void;
}

/**
 * Creates the cache: an in-process copy (valid while the service's change `signal` has not moved) in front of
 * generation-keyed entries in Redis, with concurrent misses of one entry sharing one load. When Redis cannot be
 * told of an invalidation, the target is recorded in the service's SQLite (`dirty`); readers of it bypass the cache
 * until the background flusher delivers it, so no instance ever serves a value older than an acknowledged write.
 * Values handed out from the cache are frozen.
 */
export function createCache(options: {
  redis: GenerationRedis;
  dirty: CacheDirtyStore;
  signal: ChangeSignal;
  ttlMs: number;
  onOutcome?: (outcome: CacheOutcome) => void;
  flushEveryMs?: number;
  localMaxEntries?: number;
}): Cache {
  const count = options.onOutcome ?? (() => undefined);
  const generations = createGenerationTier({ redis: options.redis, ttlMs: options.ttlMs });
  const loads = coalesceLoads();
  let dirtyNames = new Set<string>();
  // Whatever moved the signal may have recorded or delivered invalidations: re-read them with the local copies.
  const local = createLocalTier({
    signal: options.signal,
    maxEntries: options.localMaxEntries,
    onMove: () => (dirtyNames = options.dirty.all()),
  });
  const flusher = startDirtyFlusher({
    dirty: options.dirty,
    ready: generations.ready,
    deliver: generations.bump,
    onDelivered: () => options.signal.bump(),
    everyMs: options.flushEveryMs ?? 500,
  });
  // Invalidations asked for in one turn of the event loop go to Redis as one transaction with one signal bump.
  const invalidations = batchInvalidations(async (targets) => {
    try {
      if (!generations.ready()) throw new Error('redis not ready');
      await generations.bump(targets);
    } catch {
      await retryWhileBusy(() => options.dirty.add(targets.map(encodeCacheTarget)));
    }
    options.signal.bump();
  });
  const isDirty = (ns: string, name: string): boolean => dirtyNames.size > 0 && (dirtyNames.has(encodeCacheTarget({ ns })) || dirtyNames.has(name));

  return {
    async read<T>(ns: string, key: string, load: () => T | undefined): Promise<T | undefined> {
      // A read can meet another process's lock too (SQLITE_BUSY_RECOVERY while a connection rebuilds the WAL index
      // after a crash; busy_timeout is 0): it is tried again after yielding, as writes are, instead of answering 500.
      const loadNow = (): Promise<T | undefined> => retryWhileBusy(load);
      const version = local.sync();
      const name = encodeCacheTarget({ ns, key });
      if (isDirty(ns, name)) {
        count('bypass');
        return loadNow();
      }
      const copy = local.get(name);
      if (copy !== undefined) {
        count('local');
        return copy as T;
      }
      if (!generations.ready()) {
        count('bypass');
        const value = await loadNow();
        local.keep(version, name, value);
        return value;
      }
      let entry;
      try {
        entry = await generations.read(ns, key);
      } catch {
        count('error');
        return loadNow();
      }
      if (entry.cached !== null) {
        count('hit');
        const value = JSON.parse(entry.cached) as T;
        local.keep(version, name, value);
        return value;
      }
      const { valueKey } = entry;
      // Held until Redis has the value, so misses arriving meanwhile share this load; keyed by generation, so a
      // reader after an invalidation never joins a load that began before it. The reader that loaded is answered at
      // once: the value goes to Redis meanwhile.
      let loaded: { value: T | undefined } | undefined;
      const { result, joined } = loads.run(valueKey, async () => {
        const value = await loadNow();
        loaded = { value };
        local.keep(version, name, value);
        if (value !== undefined) await generations.write(valueKey, JSON.stringify(value)).catch(() => undefined);
        return value;
      });
      count(joined ? 'coalesced' : 'miss');
      return !joined && loaded ? loaded.value : result;
    },
    invalidate: (targets) => (targets.length === 0 ? Promise.resolve() : invalidations.add(targets)),
    close() {
      flusher.close();
    },
  };
}
