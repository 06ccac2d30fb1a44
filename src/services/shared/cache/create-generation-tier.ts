import { assetFile, readAsset } from '../../../common/locate-assets.js';
import { generationKey, redisCacheKeys, type CacheTarget } from './encode-cache-keys.js';

/** The Lua script that reads an entry with its generations; Lua lives only in `templates/`. */
const SCRIPT_ASSET = 'templates/redis/cache-read.lua';
/** Its file in the source tree (the binary carries a copy). */
export const CACHE_READ_SCRIPT = assetFile(SCRIPT_ASSET);
const COMMAND = 'ecomCacheRead';

/** One MULTI of generation bumps. */
export interface GenerationTransaction {
  incr(key: string): GenerationTransaction;
  pexpire(key: string, ms: number): GenerationTransaction;
  exec(): Promise<Array<[Error | null, unknown]> | null>;
}

/** The few calls of an ioredis client this tier makes (an ioredis `Redis` is one; tests pass a fake). */
export interface GenerationRedis {
  readonly status: string;
  defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void;
  /** Defined by `defineCommand` from the script at `CACHE_READ_SCRIPT`. */
  ecomCacheRead?: (nsGen: string, keyGen: string, valuePrefix: string) => Promise<Array<string | null | undefined>>;
  multi(): GenerationTransaction;
  set(key: string, value: string, px: 'PX', ms: number): Promise<unknown>;
}

/** An entry as Redis has it: where its current value lives, and the value (JSON) if there is one. */
export interface GenerationEntry {
  valueKey: string;
  cached: string | null;
}

/**
 * Cache entries in Redis under keys that embed a generation counter of their namespace and of themselves:
 * invalidating increments a counter, so a reader that loaded old data can only fill a key nobody reads again.
 */
export interface GenerationTier {
  /** Whether Redis is connected (when not, calls would fail at once). */
  ready(): boolean;
  /** Reads the entry's generations and its value in one round trip; rejects when Redis fails. */
  read(ns: string, key: string): Promise<GenerationEntry>;
  /** Stores `json` under `valueKey` for `ttlMs`; rejects when Redis fails. */
  write(valueKey: string, json: string): Promise<void>;
  /** Increments the generation of every target in one transaction; rejects unless all of them were applied. */
  bump(targets: readonly CacheTarget[]): Promise<void>;
}

let script: string | undefined;
const readScript = (): string => (script ??= readAsset(SCRIPT_ASSET));

/** Creates the tier on `redis` (defining its read command once per client); values live `ttlMs`. */
export function createGenerationTier(options: { redis: GenerationRedis; ttlMs: number }): GenerationTier {
  const { redis, ttlMs } = options;
  if (typeof redis.ecomCacheRead !== 'function') redis.defineCommand(COMMAND, { numberOfKeys: 3, lua: readScript() });
  // Counters outlive every value named after them, so a counter never restarts under a value still cached.
  const genTtlMs = ttlMs * 10 + 60_000;
  return {
    ready: () => redis.status === 'ready',
    async read(ns, key) {
      const keys = redisCacheKeys(ns, key);
      const [ng, kg, cached] = await redis.ecomCacheRead!(keys.nsGen, keys.keyGen, keys.valuePrefix);
      return { valueKey: `${keys.valuePrefix}${ng}:${kg}`, cached: cached ?? null };
    },
    async write(valueKey, json) {
      await redis.set(valueKey, json, 'PX', ttlMs);
    },
    async bump(targets) {
      const tx = redis.multi();
      for (const target of targets) {
        const gen = generationKey(target);
        tx.incr(gen).pexpire(gen, genTtlMs);
      }
      const results = await tx.exec();
      if (!results || results.some(([err]) => err)) throw new Error('cache invalidation failed');
    },
  };
}
