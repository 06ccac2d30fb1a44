import { beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../helpers/api-client.js';
import { useTestCluster } from '../../helpers/use-test-cluster.js';

describe('editing and deleting products with optimistic versions', () => {
  const cluster = useTestCluster({ logger: 1, user: 1, product: 2 });
  let admin: string;
  beforeAll(async () => {
    admin = await cluster.adminToken();
  });

  const url = (i: number): string => cluster.url('product', i % 2);
  async function createProduct(name = 'Editable', price = 1000): Promise<{ id: number; version: number }> {
    const res = await request(url(0), 'POST', '/api/products', { token: admin, body: { name, description: 'first', price, stock: 3 } });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/products/${res.body.product.id}`);
    return { id: res.body.product.id as number, version: res.body.product.version as number };
  }

  it('returns the product with ETag "<version>" from both instances', async () => {
    const { id, version } = await createProduct('Tagged');
    for (const i of [0, 1]) {
      const res = await request(url(i), 'GET', `/api/products/${id}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe(`"${version}"`);
      expect(res.body.product).toEqual({ id, name: 'Tagged', description: 'first', price: 1000, stock: 3, version });
    }
  });

  for (const variant of ['If-Match header', 'body version'] as const) {
    it(`lets exactly one of 20 concurrent PATCHes with one version win (${variant})`, async () => {
      const { id, version } = await createProduct(`Contended ${variant}`);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          request(url(i), 'PATCH', `/api/products/${id}`, {
            token: admin,
            body: variant === 'body version' ? { price: 2000 + i, version } : { price: 2000 + i },
            headers: variant === 'If-Match header' ? { 'if-match': `"${version}"` } : {},
          }),
        ),
      );
      const won = results.filter((r) => r.status === 200);
      const lost = results.filter((r) => r.status === 409);
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(19);
      for (const r of lost) expect(r.body.error.code).toBe('version_conflict');
      const winner = won[0]!.body.product;
      expect(winner.version).toBe(version + 1);
      expect(won[0]!.headers.get('etag')).toBe(`"${version + 1}"`);
      const winnerPrice = 2000 + results.indexOf(won[0]!);
      expect(winner.price).toBe(winnerPrice);

      for (const i of [0, 1]) {
        const after = await request(url(i), 'GET', `/api/products/${id}`);
        expect(after.body.product.version).toBe(version + 1);
        expect(after.body.product.price).toBe(winnerPrice);
        expect(after.headers.get('etag')).toBe(`"${version + 1}"`);
      }
    });
  }

  it('never lets a stale version overwrite a newer edit', async () => {
    const { id, version } = await createProduct('Stale');
    // Read through both instances first, so any cached copy is the old one.
    for (const i of [0, 1]) await request(url(i), 'GET', `/api/products/${id}`);
    const first = await request(url(0), 'PATCH', `/api/products/${id}`, {
      token: admin,
      body: { name: 'Fresh' },
      headers: { 'if-match': `"${version}"` },
    });
    expect(first.status).toBe(200);
    const stale = await request(url(1), 'PATCH', `/api/products/${id}`, { token: admin, body: { name: 'Stale write', version } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    const ahead = await request(url(1), 'PATCH', `/api/products/${id}`, { token: admin, body: { name: 'Future', version: version + 5 } });
    expect(ahead.status).toBe(409);
    for (const i of [0, 1]) {
      const after = await request(url(i), 'GET', `/api/products/${id}`);
      expect(after.body.product.name).toBe('Fresh');
      expect(after.body.product.description).toBe('first');
      expect(after.body.product.version).toBe(version + 1);
    }
    // The If-Match header wins over a body version, and weak ETags are understood.
    const both = await request(url(1), 'PATCH', `/api/products/${id}`, {
      token: admin,
      body: { description: 'second', version },
      headers: { 'if-match': `W/"${version + 1}"` },
    });
    expect(both.status).toBe(200);
    expect(both.body.product).toMatchObject({ name: 'Fresh', description: 'second', version: version + 2 });
  });

  it('answers 428 version_required for a PATCH without a version, changing nothing', async () => {
    const { id, version } = await createProduct('Unversioned', 1500);
    const res = await request(url(0), 'PATCH', `/api/products/${id}`, { token: admin, body: { price: 1 } });
    expect(res.status).toBe(428);
    expect(res.body.error.code).toBe('version_required');
    const after = await request(url(1), 'GET', `/api/products/${id}`);
    expect(after.body.product.price).toBe(1500);
    expect(after.body.product.version).toBe(version);
  });

  it('validates PATCH bodies and If-Match', async () => {
    const { id, version } = await createProduct('Validated');
    for (const body of [{ price: -1, version }, { price: 1.5, version }, { name: '', version }, { stock: 100, version }, { version: 0 }]) {
      const res = await request(url(0), 'PATCH', `/api/products/${id}`, { token: admin, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const badHeader = await request(url(0), 'PATCH', `/api/products/${id}`, {
      token: admin,
      body: { price: 5 },
      headers: { 'if-match': 'nonsense' },
    });
    expect(badHeader.status).toBe(400);
    const after = await request(url(0), 'GET', `/api/products/${id}`);
    expect(after.body.product).toMatchObject({ price: 1000, stock: 3, version });
  });

  it('answers 404 for PATCH of an unknown product', async () => {
    const res = await request(url(0), 'PATCH', '/api/products/987654', {
      token: admin,
      body: { price: 1 },
      headers: { 'if-match': '"1"' },
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('product_not_found');
    const byBody = await request(url(1), 'PATCH', '/api/products/987654', { token: admin, body: { price: 1, version: 1 } });
    expect(byBody.status).toBe(404);
    const missing = await request(url(0), 'GET', '/api/products/987654');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('product_not_found');
  });

  it('deletes with 204, then GET is 404 on both instances and a second DELETE is 404', async () => {
    const { id, version } = await createProduct('Doomed');
    for (const i of [0, 1]) expect((await request(url(i), 'GET', `/api/products/${id}`)).status).toBe(200); // warm caches
    const del = await request(url(0), 'DELETE', `/api/products/${id}`, { token: admin });
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    for (const i of [0, 1]) {
      const res = await request(url(i), 'GET', `/api/products/${id}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('product_not_found');
    }
    const list = await request(url(1), 'GET', '/api/products?limit=100');
    expect(list.body.items.map((p: { id: number }) => p.id)).not.toContain(id);
    expect((await request(url(1), 'DELETE', `/api/products/${id}`, { token: admin })).status).toBe(404);
    const patch = await request(url(1), 'PATCH', `/api/products/${id}`, { token: admin, body: { price: 1, version } });
    expect(patch.status).toBe(404);
  });

  it('answers a client error, never a product, for a malformed product id', async () => {
    for (const path of ['/api/products/abc', '/api/products/-1', '/api/products/1.5', '/api/products/0']) {
      const res = await request(url(0), 'GET', path);
      expect([400, 404], path).toContain(res.status);
      expect(res.body.error.code).toMatch(/^[a-z_]+$/);
      expect(res.body.product).toBeUndefined();
    }
  });
});
