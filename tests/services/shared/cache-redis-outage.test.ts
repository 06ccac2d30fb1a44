import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../helpers/api-client.js';
import { startTestCluster, type TestCluster } from '../../helpers/start-test-cluster.js';
import { waitFor } from '../../helpers/wait-for.js';

/** Sum of `ecom_cache_requests_total{outcome=...}` on an instance. */
async function cacheCount(url: string, outcomes: string[]): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^ecom_cache_requests_total\{[^}]*outcome="(\w+)"[^}]*\} (\d+)/.exec(line);
    if (m && outcomes.includes(m[1]!)) sum += Number(m[2]);
  }
  return sum;
}

describe('cache-aside when Redis fails', () => {
  let cluster: TestCluster;
  let admin: string;
  let productId: number;
  let a: string;
  let b: string;
  beforeAll(async () => {
    cluster = await startTestCluster({ logger: 1, user: 1, product: 2 });
    admin = await cluster.adminToken();
    a = cluster.url('product', 0);
    b = cluster.url('product', 1);
    productId = (await request(a, 'POST', '/api/products', { token: admin, body: { name: 'Cached', price: 100, stock: 10 } })).body.product.id;
  });
  afterAll(async () => {
    await cluster?.close();
  });

  const priceOn = async (url: string): Promise<number> => (await request(url, 'GET', `/api/products/${productId}`)).body.product.price;
  const patchPrice = async (url: string, price: number): Promise<number> => {
    const current = await request(url, 'GET', `/api/products/${productId}`, { headers: { authorization: `Bearer ${admin}` } });
    const res = await request(url, 'PATCH', `/api/products/${productId}`, {
      token: admin,
      body: { price, version: current.body.product.version },
    });
    return res.status;
  };

  it('serves from the cache and never shows a stale value across instances', async () => {
    await priceOn(a);
    const before = await cacheCount(a, ['hit', 'local']);
    await priceOn(a);
    await priceOn(a);
    expect(await cacheCount(a, ['hit', 'local'])).toBeGreaterThan(before);
    await priceOn(b);
    expect(await patchPrice(a, 111)).toBe(200);
    expect(await priceOn(b)).toBe(111);
    expect(await priceOn(a)).toBe(111);
  });

  it('answers from SQLite while Redis is dead, and recovers the cache when it is back', async () => {
    await cluster.redis.kill();
    for (const url of [a, b]) {
      const res = await request(url, 'GET', `/api/products/${productId}`);
      expect(res.status).toBe(200);
      expect((await request(url, 'GET', '/api/products?limit=5')).status).toBe(200);
    }
    const buyer = await cluster.customer();
    expect((await request(cluster.url('user'), 'GET', '/api/users/me', { token: buyer.token })).status).toBe(200);
    expect(await patchPrice(b, 222)).toBe(200);
    expect(await priceOn(a)).toBe(222);
    expect(await priceOn(b)).toBe(222);

    await cluster.redis.restart();
    await waitFor('instances to reconnect', async () => {
      const h = await Promise.all([a, b].map(async (url) => (await request(url, 'GET', '/health')).body.redis));
      return h.every((s) => s === 'up');
    });
    for (let i = 0; i < 5; i++) {
      expect(await priceOn(a)).toBe(222);
      expect(await priceOn(b)).toBe(222);
    }
    // Once the invalidations recorded during the outage are delivered, reads are served from the cache again.
    await waitFor('the cache to be used again', async () => {
      const hits = await cacheCount(b, ['hit', 'local']);
      expect(await priceOn(b)).toBe(222);
      return (await cacheCount(b, ['hit', 'local'])) > hits;
    });
    expect(await patchPrice(a, 223)).toBe(200);
    expect(await priceOn(b)).toBe(223);
  });

  it('never serves a value older than an acknowledged write while Redis is too slow to answer', async () => {
    await priceOn(a);
    await priceOn(b);
    const client = new Redis({ port: cluster.redis.port });
    try {
      await client.client('PAUSE', 1500, 'ALL');
      expect(await patchPrice(a, 333)).toBe(200);
      expect(await priceOn(b)).toBe(333);
      expect(await priceOn(a)).toBe(333);
      await sleep(1700);
      for (let i = 0; i < 5; i++) {
        expect(await priceOn(a)).toBe(333);
        expect(await priceOn(b)).toBe(333);
      }
    } finally {
      await client.client('UNPAUSE').catch(() => undefined);
      client.disconnect();
    }
  });
});
