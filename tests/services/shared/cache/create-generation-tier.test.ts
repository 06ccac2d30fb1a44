import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_READ_SCRIPT, createGenerationTier, type GenerationTransaction } from '../../../../src/services/shared/cache/create-generation-tier.js';
import { startRedis, type TestRedis } from '../../../helpers/start-redis.js';
import { FakeRedis } from './fake-redis.js';

/** A MULTI whose EXEC answers `result` (null: aborted). */
function transactionReturning(result: Array<[Error | null, unknown]> | null): GenerationTransaction {
  const tx: GenerationTransaction = { incr: () => tx, pexpire: () => tx, exec: async () => result };
  return tx;
}

describe('Redis generation tier (fake Redis)', () => {
  it('defines its read command once per client, from the script in templates/', () => {
    const redis = new FakeRedis();
    createGenerationTier({ redis, ttlMs: 1000 });
    createGenerationTier({ redis, ttlMs: 1000 });
    expect(redis.definitions).toHaveLength(1);
    expect(redis.definitions[0]!.name).toBe('ecomCacheRead');
    expect(redis.definitions[0]!.lua).toBe(readFileSync(CACHE_READ_SCRIPT, 'utf8'));
    expect(CACHE_READ_SCRIPT).toMatch(/templates\/redis\/cache-read\.lua$/);
  });

  it('reads an empty entry under generation 0:0, then what was written there', async () => {
    const redis = new FakeRedis();
    const tier = createGenerationTier({ redis, ttlMs: 1000 });
    const empty = await tier.read('product', '1');
    expect(empty).toEqual({ valueKey: 'ecom:cache:product:1:v:0:0', cached: null });
    await tier.write(empty.valueKey, '{"id":1}');
    expect(redis.expiries.get(empty.valueKey)).toBe(1000);
    expect(await tier.read('product', '1')).toEqual({ valueKey: empty.valueKey, cached: '{"id":1}' });
  });

  it('bumping an entry moves it to a new, empty generation; other entries keep theirs', async () => {
    const redis = new FakeRedis();
    const tier = createGenerationTier({ redis, ttlMs: 1000 });
    for (const key of ['1', '2']) await tier.write((await tier.read('product', key)).valueKey, `"v${key}"`);
    await tier.bump([{ ns: 'product', key: '1' }]);
    expect(await tier.read('product', '1')).toEqual({ valueKey: 'ecom:cache:product:1:v:0:1', cached: null });
    expect((await tier.read('product', '2')).cached).toBe('"v2"');
    expect(redis.expiries.get('ecom:cache:product:1:gen')).toBe(1000 * 10 + 60_000);
  });

  it('bumping a namespace moves every entry of it, and only of it', async () => {
    const redis = new FakeRedis();
    const tier = createGenerationTier({ redis, ttlMs: 1000 });
    for (const [ns, key] of [
      ['product-list', 'a'],
      ['product-list', 'b'],
      ['product', 'a'],
    ] as const) {
      await tier.write((await tier.read(ns, key)).valueKey, '1');
    }
    await tier.bump([{ ns: 'product-list' }]);
    expect(await tier.read('product-list', 'a')).toEqual({ valueKey: 'ecom:cache:product-list:a:v:1:0', cached: null });
    expect((await tier.read('product-list', 'b')).cached).toBeNull();
    expect((await tier.read('product', 'a')).cached).toBe('1');
  });

  it('bumps several targets in one transaction', async () => {
    const redis = new FakeRedis();
    const tier = createGenerationTier({ redis, ttlMs: 1000 });
    await tier.bump([{ ns: 'product', key: '1' }, { ns: 'product', key: '2' }, { ns: 'product-list' }]);
    expect(redis.calls.exec).toBe(1);
    expect([...redis.store.keys()].sort()).toEqual(['ecom:cache:product-list:gen', 'ecom:cache:product:1:gen', 'ecom:cache:product:2:gen']);
  });

  it('rejects when Redis fails, or when a transaction comes back aborted or with an error', async () => {
    const redis = new FakeRedis();
    const tier = createGenerationTier({ redis, ttlMs: 1000 });
    redis.failing = true;
    await expect(tier.read('product', '1')).rejects.toThrow();
    await expect(tier.write('k', '1')).rejects.toThrow();
    await expect(tier.bump([{ ns: 'product' }])).rejects.toThrow();
    redis.failing = false;
    for (const outcome of [
      null,
      [
        [null, 1],
        [new Error('OOM'), null],
      ],
    ] as const) {
      const broken = new FakeRedis();
      broken.multi = () => transactionReturning(outcome as Array<[Error | null, unknown]> | null);
      await expect(createGenerationTier({ redis: broken, ttlMs: 1 }).bump([{ ns: 'p' }])).rejects.toThrow('cache invalidation failed');
    }
  });

  it('is ready exactly when the client is', () => {
    const redis = new FakeRedis();
    const tier = createGenerationTier({ redis, ttlMs: 1 });
    expect(tier.ready()).toBe(true);
    redis.status = 'reconnecting';
    expect(tier.ready()).toBe(false);
  });
});

describe('Redis generation tier (real redis-server runs the template script)', () => {
  let server: TestRedis;
  let client: Redis;
  beforeAll(async () => {
    server = await startRedis();
    client = new Redis({ port: server.port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.close();
  });

  it('reads, writes and bumps through the Lua script', async () => {
    const tier = createGenerationTier({ redis: client, ttlMs: 5000 });
    await client.ping();
    const empty = await tier.read('product', '9');
    expect(empty).toEqual({ valueKey: 'ecom:cache:product:9:v:0:0', cached: null });
    await tier.write(empty.valueKey, '"nine"');
    expect(await tier.read('product', '9')).toEqual({ valueKey: empty.valueKey, cached: '"nine"' });
    await tier.bump([{ ns: 'product' }, { ns: 'product' }, { ns: 'product', key: '9' }]);
    const bumped = await tier.read('product', '9');
    expect(bumped).toEqual({ valueKey: 'ecom:cache:product:9:v:2:1', cached: null });
    await tier.write(bumped.valueKey, '"again"');
    expect((await tier.read('product', '9')).cached).toBe('"again"');
    expect(await client.pttl('ecom:cache:product:gen')).toBeGreaterThan(60_000);
  });
});
