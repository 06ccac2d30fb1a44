import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/api-client.js';
import { startTestCluster, type TestCluster } from '../helpers/start-test-cluster.js';

describe('hostile input', () => {
  let cluster: TestCluster;
  let admin: string;
  let productId: number;
  beforeAll(async () => {
    cluster = await startTestCluster({ logger: 1, user: 1, product: 1, order: 1 });
    admin = await cluster.adminToken();
    const created = await request(cluster.url('product'), 'POST', '/api/products', {
      token: admin,
      body: { name: 'Solid', price: 100, stock: 5 },
    });
    productId = created.body.product.id;
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('answers malformed JSON, wrong types and oversized bodies with 4xx JSON and writes nothing', async () => {
    const product = cluster.url('product');
    const before = (await request(product, 'GET', '/api/products?limit=100')).body.items.length;
    const malformed = await request(product, 'POST', '/api/products', { token: admin, raw: '{"name": "x", ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('malformed_json');
    const wrong = await request(product, 'POST', '/api/products', { token: admin, body: { name: 'x', price: '12', stock: 1.5 } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('validation_failed');
    expect(wrong.body.error.message).toContain('price');
    expect(wrong.body.error.message).toContain('stock');
    const huge = await request(product, 'POST', '/api/products', {
      token: admin,
      body: { name: 'x', description: 'y'.repeat(70 * 1024), price: 1, stock: 1 },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
    const user = await request(cluster.url('user'), 'POST', '/api/users/register', { raw: '[1,2,3]' });
    expect(user.status).toBe(400);
    expect((await request(product, 'GET', '/api/products?limit=100')).body.items.length).toBe(before);
  });

  it('refuses negative, zero, fractional and string quantities without taking stock', async () => {
    const buyer = await cluster.customer();
    for (const quantity of [-1, 0, 1.5, '2', null, 1e12]) {
      const res = await request(cluster.url('order'), 'POST', '/api/orders', {
        token: buyer.token,
        body: { items: [{ productId, quantity }] },
      });
      expect(res.status, `quantity ${String(quantity)}`).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await request(cluster.url('product'), 'GET', `/api/products/${productId}`)).body.product.stock).toBe(5);
  });

  it('stores SQL-looking and unicode strings literally', async () => {
    const names = ["'; DROP TABLE products; --", 'Robert"); DELETE FROM users;--', '🛒 café 東京 مرحبا', '%_\\ wildcard'];
    for (const name of names) {
      const created = await request(cluster.url('product'), 'POST', '/api/products', { token: admin, body: { name, price: 1, stock: 1 } });
      expect(created.status).toBe(201);
      const read = await request(cluster.url('product'), 'GET', `/api/products/${created.body.product.id}`);
      expect(read.body.product.name).toBe(name);
    }
    const reg = await request(cluster.url('user'), 'POST', '/api/users/register', {
      body: { email: 'unicode@example.com', password: 'password123', name: "O'Brien 🚀 ☃", address: '1 Rue de l’Église' },
    });
    expect(reg.status).toBe(201);
    expect(reg.body.user.name).toBe("O'Brien 🚀 ☃");
    expect((await request(cluster.url('product'), 'GET', '/api/products?limit=100')).body.items.length).toBeGreaterThanOrEqual(5);
  });

  it('keeps every instance healthy, answers unknown routes with JSON 404 and always names the instance', async () => {
    for (const inst of cluster.instances) {
      const health = await request(inst.url, 'GET', '/health');
      expect(health.status).toBe(200);
      const missing = await request(inst.url, 'GET', '/no/such/route');
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('route_not_found');
      expect(missing.headers.get('x-instance-id')).toBe(`${inst.kind}-${inst.id}`);
    }
  });
});
