import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../helpers/api-client.js';
import { startTestCluster, type TestCluster } from '../../helpers/start-test-cluster.js';

describe('placing orders across two product instances', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ logger: 1, user: 1, product: 2, order: 1 });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('sells exactly the stock under 50 concurrent orders', async () => {
    const admin = await cluster.adminToken();
    const created = await request(cluster.url('product', 0), 'POST', '/api/products', {
      token: admin,
      body: { name: 'Limited', price: 500, stock: 10 },
    });
    expect(created.status).toBe(201);
    const productId = created.body.product.id as number;
    const buyer = await cluster.customer();
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        request(cluster.url('order'), 'POST', '/api/orders', { token: buyer.token, body: { items: [{ productId, quantity: 1 }] } }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(results.filter((r) => r.status === 409 && r.body.error.code === 'insufficient_stock')).toHaveLength(40);
    for (const url of [cluster.url('product', 0), cluster.url('product', 1)]) {
      const after = await request(url, 'GET', `/api/products/${productId}`);
      expect(after.body.product.stock).toBe(0);
    }
  });
});
