import type { Redis } from 'ioredis';
import type { CacheDirtyStore } from './cache-dirty-store.js';
import type { ChangeSignal } from './change-signal.js';

/** What to invalidate: one entry of a namespace, or (no key) every entry of it. */
export interface CacheTarget {
  ns: string;
  key?: string;
}

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

const PREFIX = 'ecom:cache:';
const READ_SCRIPT = `
local ng = redis.call('GET', KEYS[1]) or '0'
local kg = redis.call('GET', KEYS[2]) or '0'
return {ng, kg, redis.call('GET', KEYS[3] .. ng .. ':' .. kg)}
`;

type CachedRedis = Redis & { ecomCacheRead(nsGen: string, keyGen: string, valuePrefix: string): Promise<[string, string, string | null]> };

const nsGenKey = (ns: string): string => `${PREFIX}${ns}:gen`;
const keyGenKey = (ns: string, key: string): string => `${PREFIX}${ns}:${key}:gen`;
const dirtyName = (t: CacheTarget): string => (t.key === undefined ? t.ns : `${t.ns}\u0000${t.key}`);
const LOCAL_MAX_ENTRIES = 10_000;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Creates the cache. Every entry lives under a key that embeds a generation counter of its namespace and of itself;
 * invalidating increments the counter, so a reader that loaded old data can only ever fill a key nobody reads again.
 * When Redis cannot be told, the key is recorded in the service's SQLite (`dirty`); readers of it bypass the cache
 * until a background flush delivers the invalidation, so no instance ever serves a value older than an acknowledged
 * write. Concurrent misses of one entry in this process share one load (stampede protection).
 *
 * In front of Redis sits a small in-process copy, valid only while the service's `signal` has not moved: every
 * invalidation (by any instance) bumps the signal after committing and before acknowledging, and every read checks
 * it (one fstat), so the local copy never outlives a write either. Values handed out are frozen.
 */
export function createCache(options: {
  redis: Redis;
  dirty: CacheDirtyStore;
  signal: ChangeSignal;
  ttlMs: number;
  onOutcome?: (outcome: CacheOutcome) => void;
  flushEveryMs?: number;
}): Cache {
  const redis = options.redis as CachedRedis;
  if (typeof redis.ecomCacheRead !== 'function') {
    redis.defineCommand('ecomCacheRead', { numberOfKeys: 3, lua: READ_SCRIPT });
  }
  const count = options.onOutcome ?? (() => undefined);
  const genTtlMs = options.ttlMs * 10 + 60_000;
  const inflight = new Map<string, Promise<unknown>>();
  const local = new Map<string, unknown>();
  let seenVersion = -1;
  let dirtyKeys = new Set<string>();
  /** Re-reads what may have changed since the signal last moved; returns the version this read works under. */
  const sync = (): number => {
    const version = options.signal.version();
    if (version !== seenVersion) {
      seenVersion = version;
      local.clear();
      dirtyKeys = options.dirty.all();
    }
    return version;
  };
  const keep = (version: number, localKey: string, value: unknown): void => {
    // Only if no change was noticed meanwhile; a change not yet noticed clears the copy at the next read.
    if (value === undefined || version !== seenVersion) return;
    if (local.size >= LOCAL_MAX_ENTRIES) local.clear();
    local.set(localKey, deepFreeze(value));
  };

  const sendInvalidations = async (targets: readonly CacheTarget[]): Promise<void> => {
    const tx = redis.multi();
    for (const t of targets) {
      const gen = t.key === undefined ? nsGenKey(t.ns) : keyGenKey(t.ns, t.key);
      tx.incr(gen).pexpire(gen, genTtlMs);
    }
    const results = await tx.exec();
    if (!results || results.some(([err]) => err)) throw new Error('cache invalidation failed');
  };

  const flush = async (): Promise<void> => {
    if (redis.status !== 'ready') return;
    const pending = options.dirty.list(500);
    if (pending.length === 0) return;
    const targets = pending.map(({ key }) => {
      const [ns, k] = key.split('\u0000') as [string, string | undefined];
      return k === undefined ? { ns } : { ns, key: k };
    });
    try {
      await sendInvalidations(targets);
      options.dirty.remove(pending);
      options.signal.bump();
    } catch {
      // Redis went away again; the next tick retries.
    }
  };
  let flushing = false;
  const timer = setInterval(() => {
    if (flushing) return;
    flushing = true;
    flush().finally(() => (flushing = false));
  }, options.flushEveryMs ?? 500);
  timer.unref();

  return {
    async read<T>(ns: string, key: string, load: () => T | undefined): Promise<T | undefined> {
      const version = sync();
      const localKey = `${ns}\u0000${key}`;
      if (dirtyKeys.size > 0 && (dirtyKeys.has(ns) || dirtyKeys.has(localKey))) {
        count('bypass');
        return load();
      }
      const copy = local.get(localKey);
      if (copy !== undefined) {
        count('local');
        return copy as T;
      }
      if (redis.status !== 'ready') {
        count('bypass');
        const value = load();
        keep(version, localKey, value);
        return value;
      }
      const valuePrefix = `${PREFIX}${ns}:${key}:v:`;
      let gens: [string, string, string | null];
      try {
        gens = await redis.ecomCacheRead(nsGenKey(ns), keyGenKey(ns, key), valuePrefix);
      } catch {
        count('error');
        return load();
      }
      const [ng, kg, cached] = gens;
      if (cached !== null && cached !== undefined) {
        count('hit');
        const value = JSON.parse(cached) as T;
        keep(version, localKey, value);
        return value;
      }
      const valueKey = `${valuePrefix}${ng}:${kg}`;
      const shared = inflight.get(valueKey);
      if (shared) {
        count('coalesced');
        return shared as Promise<T | undefined>;
      }
      count('miss');
      const loading = (async () => {
        const value = load();
        keep(version, localKey, value);
        // Held in `inflight` until Redis has it, so misses arriving meanwhile share this load.
        if (value !== undefined) await redis.set(valueKey, JSON.stringify(value), 'PX', options.ttlMs).catch(() => undefined);
        return value;
      })().finally(() => inflight.delete(valueKey));
      inflight.set(valueKey, loading);
      return loading;
    },
    async invalidate(targets) {
      if (targets.length === 0) return;
      try {
        if (redis.status !== 'ready') throw new Error('redis not ready');
        await sendInvalidations(targets);
      } catch {
        options.dirty.add(targets.map(dirtyName));
      }
      options.signal.bump();
    },
    close() {
      clearInterval(timer);
    },
  };
}
