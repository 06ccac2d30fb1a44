import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../helpers/api-client.js';
import { useTestCluster } from '../../helpers/use-test-cluster.js';

/** Sum of `ecom_cache_requests_total{outcome=...}` on an instance. */
async function cacheCount(url: string, outcome: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^ecom_cache_requests_total\{[^}]*outcome="(\w+)"[^}]*\} (\d+)/.exec(line);
    if (m && m[1] === outcome) sum += Number(m[2]);
  }
  return sum;
}

describe('list and search pages after a reservation', () => {
  const cluster = useTestCluster({ logger: 1, user: 1, product: 2 });
  let admin: string;
  let clusterToken: string;
  beforeAll(async () => {
    admin = await cluster.adminToken();
    clusterToken = cluster.credentials().clusterToken;
  });

  it('show the stock the reservation left, from the cached page (a stock change invalidates no page)', async () => {
    const [a, b] = [cluster.url('product', 0), cluster.url('product', 1)];
    const word = `stockword${randomUUID().slice(0, 8)}`;
    const created = await request(a, 'POST', '/api/products', { token: admin, body: { name: `Stocked ${word}`, price: 300, stock: 10 } });
    expect(created.status).toBe(201);
    const id = created.body.product.id as number;
    const listed = async (url: string): Promise<number | undefined> =>
      ((await request(url, 'GET', '/api/products?limit=100')).body.items as Array<{ id: number; stock: number }>).find((p) => p.id === id)?.stock;
    const searched = async (url: string): Promise<number | undefined> =>
      ((await request(url, 'GET', `/api/products?limit=20&q=${word}`)).body.items as Array<{ id: number; stock: number }>).find((p) => p.id === id)?.stock;
    // Both pages loaded and cached.
    expect(await listed(a)).toBe(10);
    expect(await searched(a)).toBe(10);
    const missesBefore = await cacheCount(a, 'miss');

    const reserved = await request(b, 'PUT', `/internal/reservations/${randomUUID()}`, {
      token: clusterToken,
      body: { items: [{ productId: id, quantity: 3 }] },
    });
    expect(reserved.status).toBe(201);

    expect(await listed(a)).toBe(7);
    expect(await searched(a)).toBe(7);
    expect(await listed(b)).toBe(7);
    // Served from the cache (Redis), not loaded again: the reservation left the pages cached.
    expect(await cacheCount(a, 'miss')).toBe(missesBefore);
    expect((await request(a, 'GET', `/api/products/${id}`)).body.product.stock).toBe(7);
  });

  it('show a cached product with the stock a reservation left, on every instance, without loading it again', async () => {
    const [a, b] = [cluster.url('product', 0), cluster.url('product', 1)];
    const created = await request(a, 'POST', '/api/products', { token: admin, body: { name: 'Cached stock', price: 120, stock: 9 } });
    const id = created.body.product.id as number;
    const stockOn = async (url: string): Promise<number> => {
      const res = await request(url, 'GET', `/api/products/${id}`);
      expect(res.status).toBe(200);
      expect(res.body.product).toMatchObject({ id, name: 'Cached stock', price: 120, version: created.body.product.version });
      return res.body.product.stock as number;
    };
    expect([await stockOn(a), await stockOn(b), await stockOn(a), await stockOn(b)]).toEqual([9, 9, 9, 9]);
    const missesBefore = await Promise.all([a, b].map((url) => cacheCount(url, 'miss')));

    const reservations = [randomUUID(), randomUUID()];
    for (const [url, quantity, reservation] of [
      [b, 4, reservations[0]],
      [a, 2, reservations[1]],
    ] as const) {
      const reserved = await request(url, 'PUT', `/internal/reservations/${reservation}`, {
        token: clusterToken,
        body: { items: [{ productId: id, quantity }] },
      });
      expect(reserved.status).toBe(201);
    }
    expect([await stockOn(a), await stockOn(b)]).toEqual([3, 3]);
    expect((await request(a, 'DELETE', `/internal/reservations/${reservations[0]}`, { token: clusterToken })).status).toBe(204);
    expect([await stockOn(b), await stockOn(a)]).toEqual([7, 7]);
    expect(await Promise.all([a, b].map((url) => cacheCount(url, 'miss')))).toEqual(missesBefore);

    // A deleted product is gone at once, cached or not.
    expect((await request(a, 'DELETE', `/api/products/${id}`, { token: admin })).status).toBe(204);
    expect((await request(b, 'GET', `/api/products/${id}`)).status).toBe(404);
  });

  it('still drop a page when a product is edited (name), so the page shows the edit', async () => {
    const a = cluster.url('product', 0);
    const created = await request(a, 'POST', '/api/products', { token: admin, body: { name: 'Before edit', price: 300, stock: 4 } });
    const id = created.body.product.id as number;
    const nameIn = async (): Promise<string | undefined> =>
      ((await request(a, 'GET', '/api/products?limit=100')).body.items as Array<{ id: number; name: string }>).find((p) => p.id === id)?.name;
    expect(await nameIn()).toBe('Before edit');
    const edited = await request(a, 'PATCH', `/api/products/${id}`, { token: admin, body: { name: 'After edit', version: created.body.product.version } });
    expect(edited.status).toBe(200);
    expect(await nameIn()).toBe('After edit');
  });
});
