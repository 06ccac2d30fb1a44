import { describe, expect, it } from 'vitest';
import { request } from '../../helpers/api-client.js';
import { useTestCluster } from '../../helpers/use-test-cluster.js';

describe('order totals and captured unit prices', () => {
  const cluster = useTestCluster({ logger: 1, user: 1, product: 2, order: 1 });

  const createProduct = (name: string, price: number, stock: number) => cluster.createProduct({ name, price, stock });

  async function setPrice(id: number, price: number): Promise<void> {
    const current = await request(cluster.url('product', 1), 'GET', `/api/products/${id}`);
    const res = await request(cluster.url('product', 1), 'PATCH', `/api/products/${id}`, {
      token: await cluster.adminToken(),
      body: { price },
      headers: { 'if-match': current.headers.get('etag')! },
    });
    expect(res.status).toBe(200);
    expect(res.body.product.price).toBe(price);
  }

  it('totals quantity × unit price over every line, with prices from the catalogue', async () => {
    const a = await createProduct('Pen', 199, 50);
    const b = await createProduct('Notebook', 1250, 50);
    const c = await createProduct('Free sticker', 0, 50);
    const buyer = await cluster.customer();
    const res = await request(cluster.url('order'), 'POST', '/api/orders', {
      token: buyer.token,
      // A client-sent price or total must not count.
      body: {
        items: [
          { productId: b, quantity: 2, unitPrice: 1 },
          { productId: a, quantity: 3 },
          { productId: c, quantity: 4 },
        ],
        total: 1,
      },
    });
    expect(res.status).toBe(201);
    const { order } = res.body;
    expect([...order.items].sort((x: { productId: number }, y: { productId: number }) => x.productId - y.productId)).toEqual([
      { productId: a, quantity: 3, unitPrice: 199 },
      { productId: b, quantity: 2, unitPrice: 1250 },
      { productId: c, quantity: 4, unitPrice: 0 },
    ]);
    expect(order.total).toBe(3 * 199 + 2 * 1250);
    expect(order.status).toBe('placed');
    expect(Number.isNaN(Date.parse(order.createdAt))).toBe(false);
  });

  it('keeps the unit price of the time of ordering when the price changes later', async () => {
    const id = await createProduct('Lamp', 4500, 10);
    const buyer = await cluster.customer();
    const before = await request(cluster.url('order'), 'POST', '/api/orders', {
      token: buyer.token,
      body: { items: [{ productId: id, quantity: 2 }] },
    });
    expect(before.status).toBe(201);
    expect(before.body.order.items).toEqual([{ productId: id, quantity: 2, unitPrice: 4500 }]);
    expect(before.body.order.total).toBe(9000);

    await setPrice(id, 5200);

    const stored = await request(cluster.url('order'), 'GET', `/api/orders/${before.body.order.id}`, { token: buyer.token });
    expect(stored.status).toBe(200);
    expect(stored.body.order.items).toEqual([{ productId: id, quantity: 2, unitPrice: 4500 }]);
    expect(stored.body.order.total).toBe(9000);
    const listed = await request(cluster.url('order'), 'GET', '/api/orders', { token: buyer.token });
    expect(listed.body.items.find((o: { id: string }) => o.id === before.body.order.id).total).toBe(9000);

    // A new order pays the new price (read through either product instance).
    const after = await request(cluster.url('order'), 'POST', '/api/orders', {
      token: buyer.token,
      body: { items: [{ productId: id, quantity: 1 }] },
    });
    expect(after.status).toBe(201);
    expect(after.body.order.items).toEqual([{ productId: id, quantity: 1, unitPrice: 5200 }]);
    expect(after.body.order.total).toBe(5200);
  });
});
