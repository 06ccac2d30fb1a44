import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openCacheDirtyStore, type CacheDirtyStore } from '../../../../src/services/shared/cache-dirty-store.js';
import { openChangeSignal, type ChangeSignal } from '../../../../src/services/shared/change-signal.js';
import { createCache, type Cache, type CacheOutcome } from '../../../../src/services/shared/create-cache.js';
import { FakeRedis } from './fake-redis.js';

/** Two instances of one service: one SQLite file, one change signal file, one (fake) Redis; real timers faked. */
describe('cache composition', () => {
  let dir: string;
  let redis: FakeRedis;
  const opened: Array<{ cache: Cache; db: Database.Database; signal: ChangeSignal }> = [];
  const outcomes: CacheOutcome[] = [];
  const instance = (options: { localMaxEntries?: number } = {}): { cache: Cache; dirty: CacheDirtyStore } => {
    const db = new Database(join(dir, 'product.db'));
    const dirty = openCacheDirtyStore(db);
    const signal = openChangeSignal(join(dir, 'product.db.changes'));
    const cache = createCache({ redis, dirty, signal, ttlMs: 1000, flushEveryMs: 100, onOutcome: (o) => outcomes.push(o), ...options });
    opened.push({ cache, db, signal });
    return { cache, dirty };
  };
  const taken = (): CacheOutcome[] => outcomes.splice(0);

  beforeEach(() => {
    vi.useFakeTimers();
    dir = mkdtempSync(join(tmpdir(), 'ecom-cache-'));
    redis = new FakeRedis();
  });
  afterEach(() => {
    for (const { cache, db, signal } of opened.splice(0)) {
      cache.close();
      db.close();
      signal.close();
    }
    outcomes.length = 0;
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads once, then serves from the local copy; another instance reads it from Redis', async () => {
    const a = instance().cache;
    const b = instance().cache;
    let loads = 0;
    const load = (): { price: number } => (loads++, { price: 1 });
    expect(await a.read('product', '1', load)).toEqual({ price: 1 });
    expect(await a.read('product', '1', load)).toEqual({ price: 1 });
    expect(await b.read('product', '1', load)).toEqual({ price: 1 });
    expect(loads).toBe(1);
    expect(taken()).toEqual(['miss', 'local', 'hit']);
  });

  it('loads again after yielding when SQLite says another process holds a lock, instead of failing the read', async () => {
    const { cache } = instance();
    let tries = 0;
    const load = (): string => {
      tries++;
      if (tries < 3) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      return 'v';
    };
    expect(await cache.read('product', '1', load)).toBe('v');
    expect(tries).toBe(3);
    const broken = (): string => {
      throw new Error('no such table');
    };
    await expect(cache.read('product', '2', broken)).rejects.toThrow('no such table');
  });

  it('shares one load among concurrent misses of one entry', async () => {
    const { cache } = instance();
    let release!: () => void;
    redis.setGate = new Promise((resolve) => (release = resolve));
    let loads = 0;
    const reads = Array.from({ length: 10 }, () => cache.read('product', '1', () => (loads++, 'v')));
    await vi.advanceTimersByTimeAsync(0);
    release();
    expect(await Promise.all(reads)).toEqual(Array<string>(10).fill('v'));
    expect(loads).toBe(1);
    expect(taken().sort()).toEqual(['miss', ...Array<CacheOutcome>(9).fill('coalesced')].sort());
  });

  it('shows every instance the new value once an invalidation returned', async () => {
    const a = instance().cache;
    const b = instance().cache;
    let price = 1;
    const load = (): number => price;
    await a.read('product', '1', load);
    await b.read('product', '1', load);
    price = 2;
    await a.invalidate([{ ns: 'product', key: '1' }]);
    expect(await b.read('product', '1', load)).toBe(2);
    expect(await a.read('product', '1', load)).toBe(2);
  });

  it('never lets a load that began before an invalidation fill the entry read after it', async () => {
    const { cache } = instance();
    let release!: () => void;
    redis.setGate = new Promise((resolve) => (release = resolve));
    const early = cache.read('product', '1', () => 'old');
    await vi.advanceTimersByTimeAsync(0);
    await cache.invalidate([{ ns: 'product' }]);
    redis.setGate = undefined;
    const late = cache.read('product', '1', () => 'new');
    release();
    expect(await late).toBe('new');
    expect(await early).toBe('old');
    expect(await cache.read('product', '1', () => 'newer')).toBe('new');
  });

  it('records invalidations Redis cannot take; every instance bypasses those entries until they are delivered', async () => {
    const a = instance();
    const b = instance().cache;
    let price = 1;
    const load = (): number => price;
    await b.read('product', '1', load);
    await b.read('product', '2', load);
    redis.status = 'end';
    price = 2;
    await a.cache.invalidate([{ ns: 'product', key: '1' }]);
    expect(a.dirty.all()).toEqual(new Set(['product\u00001']));
    redis.status = 'ready';
    taken();
    // Redis still holds price 1 under the old generation, but nobody reads it.
    expect(await b.read('product', '1', load)).toBe(2);
    expect(await a.cache.read('product', '1', load)).toBe(2);
    expect(taken()).toEqual(['bypass', 'bypass']);
    expect(await b.read('product', '2', load)).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(a.dirty.all().size).toBe(0);
    taken();
    expect(await b.read('product', '1', load)).toBe(2);
    expect(await b.read('product', '1', load)).toBe(2);
    expect(taken()).toEqual(['miss', 'local']);
  });

  it('falls back to the database when Redis is not ready or fails a read', async () => {
    const { cache } = instance();
    redis.status = 'reconnecting';
    expect(await cache.read('product', '1', () => 'a')).toBe('a');
    redis.status = 'ready';
    redis.failing = true;
    expect(await cache.read('product', '2', () => 'b')).toBe('b');
    expect(taken()).toEqual(['bypass', 'error']);
  });

  it('rejects a read whose load fails, and loads again on the next read', async () => {
    const { cache } = instance();
    const failing = cache.read('product', '9', () => {
      throw new Error('db busy');
    });
    await expect(failing).rejects.toThrow('db busy');
    expect(await cache.read('product', '9', () => 'ok')).toBe('ok');
    expect(taken()).toEqual(['miss', 'miss']);
  });

  it('keeps at most localMaxEntries copies in process', async () => {
    const { cache } = instance({ localMaxEntries: 2 });
    for (const key of ['1', '2', '3']) await cache.read('product', key, () => key);
    taken();
    await cache.read('product', '3', () => 'x');
    await cache.read('product', '1', () => 'x');
    expect(taken()).toEqual(['local', 'hit']);
  });
});
