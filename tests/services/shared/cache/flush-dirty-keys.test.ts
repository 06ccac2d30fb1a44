import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openCacheDirtyStore, type CacheDirtyStore } from '../../../../src/services/shared/cache-dirty-store.js';
import type { CacheTarget } from '../../../../src/services/shared/cache/encode-cache-keys.js';
import { encodeCacheTarget } from '../../../../src/services/shared/cache/encode-cache-keys.js';
import { FLUSH_BATCH, startDirtyFlusher, type DirtyFlusher } from '../../../../src/services/shared/cache/flush-dirty-keys.js';

describe('dirty-key flusher', () => {
  let db: Database.Database;
  let dirty: CacheDirtyStore;
  let flusher: DirtyFlusher | undefined;
  let delivered: CacheTarget[][];
  let failing: boolean;
  let ready: boolean;
  let signalled: number;
  const start = (deliver?: (targets: readonly CacheTarget[]) => Promise<void>): DirtyFlusher =>
    (flusher = startDirtyFlusher({
      dirty,
      ready: () => ready,
      deliver:
        deliver ??
        (async (targets) => {
          if (failing) throw new Error('redis down');
          delivered.push([...targets]);
        }),
      onDelivered: () => void signalled++,
      everyMs: 100,
    }));

  beforeEach(() => {
    vi.useFakeTimers();
    db = new Database(':memory:');
    dirty = openCacheDirtyStore(db);
    delivered = [];
    failing = false;
    ready = true;
    signalled = 0;
  });
  afterEach(() => {
    flusher?.close();
    flusher = undefined;
    db.close();
    vi.useRealTimers();
  });

  it('delivers recorded targets on its next tick, then forgets them and moves the signal', async () => {
    const targets: CacheTarget[] = [{ ns: 'product', key: '1' }, { ns: 'product-list' }, { ns: 'product', key: 'odd\u0000key' }];
    dirty.add(targets.map(encodeCacheTarget));
    start();
    await vi.advanceTimersByTimeAsync(99);
    expect(delivered).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(delivered).toEqual([targets]);
    expect(dirty.all().size).toBe(0);
    expect(signalled).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(delivered).toHaveLength(1);
    expect(signalled).toBe(1);
  });

  it('keeps the targets while delivery fails, and retries on later ticks', async () => {
    dirty.add(['product\u00001']);
    failing = true;
    start();
    await vi.advanceTimersByTimeAsync(300);
    expect(dirty.all()).toEqual(new Set(['product\u00001']));
    expect(signalled).toBe(0);
    failing = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(delivered).toEqual([[{ ns: 'product', key: '1' }]]);
    expect(dirty.all().size).toBe(0);
    expect(signalled).toBe(1);
  });

  it('does not try while Redis is not ready', async () => {
    dirty.add(['product']);
    ready = false;
    let attempts = 0;
    start(async () => void attempts++);
    await vi.advanceTimersByTimeAsync(1000);
    expect(attempts).toBe(0);
    expect(dirty.all().size).toBe(1);
  });

  it('runs one pass at a time', async () => {
    dirty.add(['product']);
    let attempts = 0;
    let release!: () => void;
    start(() => (attempts++, new Promise<void>((resolve) => (release = resolve))));
    await vi.advanceTimersByTimeAsync(1000);
    expect(attempts).toBe(1);
    release();
    await vi.advanceTimersByTimeAsync(100);
    expect(dirty.all().size).toBe(0);
  });

  it('keeps a target invalidated again while its earlier record was being delivered', async () => {
    dirty.add(['product\u00001']);
    let release!: () => void;
    start(() => new Promise<void>((resolve) => (release = resolve)));
    await vi.advanceTimersByTimeAsync(100);
    dirty.add(['product\u00001']);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(dirty.all()).toEqual(new Set(['product\u00001']));
  });

  it('delivers at most FLUSH_BATCH targets a pass, oldest first', async () => {
    dirty.add(Array.from({ length: FLUSH_BATCH + 20 }, (_, i) => `product\u0000${i}`));
    start();
    await vi.advanceTimersByTimeAsync(100);
    expect(delivered[0]).toHaveLength(FLUSH_BATCH);
    expect(delivered[0]![0]).toEqual({ ns: 'product', key: '0' });
    await vi.advanceTimersByTimeAsync(100);
    expect(delivered[1]).toHaveLength(20);
    expect(dirty.all().size).toBe(0);
  });

  it('stops on close (idempotently), leaving the rest recorded', async () => {
    dirty.add(['product']);
    const f = start();
    f.close();
    f.close();
    await vi.advanceTimersByTimeAsync(1000);
    expect(delivered).toEqual([]);
    expect(dirty.all().size).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a pass survives a database that fails (the next tick retries)', async () => {
    const f = start();
    db.close();
    await expect(f.flush()).resolves.toBeUndefined();
    db = new Database(':memory:');
  });
});
