import { describe, expect, it } from 'vitest';
import { request } from '../../helpers/api-client.js';
import { useTestCluster } from '../../helpers/use-test-cluster.js';

/** Sum of `ecom_reservations_total` samples of one instance: the reservations it answered, batched or not. */
async function reservationCount(url: string): Promise<number> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  let total = 0;
  for (const line of (await res.text()).split('\n')) {
    const match = /^ecom_reservations_total\{(.*)\} (\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/.exec(line);
    if (match) total += Number(match[2]);
  }
  return total;
}

describe('placing orders across two product instances', () => {
  const cluster = useTestCluster({ logger: 1, user: 1, product: 2, order: 1 });

  it('sells exactly the stock under 50 concurrent orders, with both product instances reserving', async () => {
    const productId = await cluster.createProduct({ name: 'Limited', price: 500, stock: 10 });
    const buyer = await cluster.customer();
    const productUrls = [cluster.url('product', 0), cluster.url('product', 1)];
    const before = await Promise.all(productUrls.map((url) => reservationCount(url)));

    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        request(cluster.url('order'), 'POST', '/api/orders', { token: buyer.token, body: { items: [{ productId, quantity: 1 }] } }),
      ),
    );
    const placed = results.filter((r) => r.status === 201);
    expect(placed).toHaveLength(10);
    expect(results.filter((r) => r.status === 409 && r.body?.error?.code === 'insufficient_stock')).toHaveLength(40);
    expect(new Set(placed.map((r) => r.body.order.id)).size).toBe(10);
    for (const r of placed) {
      expect(r.body.order.items).toEqual([{ productId, quantity: 1, unitPrice: 500 }]);
      expect(r.body.order.total).toBe(500);
    }
    for (const url of productUrls) {
      const after = await request(url, 'GET', `/api/products/${productId}`);
      expect(after.status).toBe(200);
      expect(after.body.product.stock).toBe(0);
    }

    const after = await Promise.all(productUrls.map((url) => reservationCount(url)));
    const handled = after.map((n, i) => n - before[i]!);
    expect(handled[0]).toBeGreaterThan(0);
    expect(handled[1]).toBeGreaterThan(0);
    // One reservation per order (concurrent ones share a call), none retried: the two instances together saw exactly 50.
    expect(handled[0]! + handled[1]!).toBe(50);
  });

  it('lists exactly the placed orders for the buyer afterwards', async () => {
    const admin = await cluster.adminToken();
    const created = await request(cluster.url('product', 1), 'POST', '/api/products', {
      token: admin,
      body: { name: 'Few', price: 250, stock: 3 },
    });
    const productId = created.body.product.id as number;
    const buyer = await cluster.customer();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        request(cluster.url('order'), 'POST', '/api/orders', { token: buyer.token, body: { items: [{ productId, quantity: 1 }] } }),
      ),
    );
    const placedIds = results.filter((r) => r.status === 201).map((r) => r.body.order.id as string);
    expect(placedIds).toHaveLength(3);
    const listed = await request(cluster.url('order'), 'GET', '/api/orders', { token: buyer.token });
    expect(listed.status).toBe(200);
    expect((listed.body.items as Array<{ id: string }>).map((o) => o.id).sort()).toEqual([...placedIds].sort());
  });
});
