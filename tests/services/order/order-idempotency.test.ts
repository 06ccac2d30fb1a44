import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { request } from '../../helpers/api-client.js';
import { useTestCluster } from '../../helpers/use-test-cluster.js';

describe('Idempotency-Key on POST /api/orders', () => {
  const cluster = useTestCluster({ logger: 1, user: 1, product: 2, order: 1 });

  const createProduct = (stock: number, price = 700) => cluster.createProduct({ name: 'Keyed', price, stock });
  const order = (token: string, key: string | undefined, items: Array<{ productId: number; quantity: number }>) =>
    request(cluster.url('order'), 'POST', '/api/orders', {
      token,
      body: { items },
      headers: key === undefined ? {} : { 'idempotency-key': key },
    });

  it('replays the first order for the same key sent twice, taking stock once', async () => {
    const productId = await createProduct(10);
    const buyer = await cluster.customer();
    const key = randomUUID();
    const first = await order(buyer.token, key, [{ productId, quantity: 2 }]);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const second = await order(buyer.token, key, [{ productId, quantity: 2 }]);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.order).toEqual(first.body.order);
    expect(await cluster.stockOf(productId)).toBe(8);
    expect(await cluster.stockOf(productId, 1)).toBe(8);

    const listed = await request(cluster.url('order'), 'GET', '/api/orders', { token: buyer.token });
    expect(listed.body.items.map((o: { id: string }) => o.id)).toEqual([first.body.order.id]);
  });

  it('without a key, the same body twice is two orders', async () => {
    const productId = await createProduct(10);
    const buyer = await cluster.customer();
    const first = await order(buyer.token, undefined, [{ productId, quantity: 1 }]);
    const second = await order(buyer.token, undefined, [{ productId, quantity: 1 }]);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.order.id).not.toBe(first.body.order.id);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(await cluster.stockOf(productId)).toBe(8);
  });

  it('answers 10 concurrent requests with one key with one order, taking stock once', async () => {
    const productId = await createProduct(10);
    const buyer = await cluster.customer();
    const key = `concurrent-${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 10 }, () => order(buyer.token, key, [{ productId, quantity: 3 }])));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    const ids = new Set(results.map((r) => r.body.order.id as string));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(9);
    expect(await cluster.stockOf(productId)).toBe(7);
    expect(await cluster.stockOf(productId, 1)).toBe(7);
    const all = await request(cluster.url('order'), 'GET', '/api/orders', { token: buyer.token });
    expect(all.body.items).toHaveLength(1);
  });

  it('refuses the same key with a different body (422) and takes nothing for it', async () => {
    const productId = await createProduct(10);
    const other = await createProduct(10);
    const buyer = await cluster.customer();
    const key = randomUUID();
    const first = await order(buyer.token, key, [{ productId, quantity: 1 }]);
    expect(first.status).toBe(201);
    for (const items of [
      [{ productId, quantity: 2 }],
      [{ productId: other, quantity: 1 }],
      [
        { productId, quantity: 1 },
        { productId: other, quantity: 1 },
      ],
    ]) {
      const reused = await order(buyer.token, key, items);
      expect(reused.status).toBe(422);
      expect(reused.body.error.code).toBe('idempotency_key_reused');
    }
    expect(await cluster.stockOf(productId)).toBe(9);
    expect(await cluster.stockOf(other)).toBe(10);
    // The original request is still replayable.
    const again = await order(buyer.token, key, [{ productId, quantity: 1 }]);
    expect(again.status).toBe(201);
    expect(again.body.order.id).toBe(first.body.order.id);
  });

  it('keeps keys per user: the same key from two users makes two orders', async () => {
    const productId = await createProduct(10);
    const alice = await cluster.customer({ name: 'Alice' });
    const bob = await cluster.customer({ name: 'Bob' });
    const key = 'shared-key-1';
    const a = await order(alice.token, key, [{ productId, quantity: 1 }]);
    const b = await order(bob.token, key, [{ productId, quantity: 1 }]);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(a.body.order.id).not.toBe(b.body.order.id);
    expect(a.body.order.userId).toBe(alice.id);
    expect(b.body.order.userId).toBe(bob.id);
    expect(b.body.order.shipping.name).toBe('Bob');
    expect(await cluster.stockOf(productId)).toBe(8);
  });

  it('leaves no lock behind when the keyed order was refused', async () => {
    const productId = await createProduct(1);
    const buyer = await cluster.customer();
    const key = randomUUID();
    for (let i = 0; i < 2; i++) {
      const refused = await order(buyer.token, key, [{ productId, quantity: 2 }]);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('insufficient_stock');
    }
    expect(await cluster.stockOf(productId)).toBe(1);
    const listed = await request(cluster.url('order'), 'GET', '/api/orders', { token: buyer.token });
    expect(listed.body.items).toEqual([]);
  });

  it('rejects a malformed key with 400', async () => {
    const productId = await createProduct(5);
    const buyer = await cluster.customer();
    const res = await order(buyer.token, 'x'.repeat(201), [{ productId, quantity: 1 }]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(await cluster.stockOf(productId)).toBe(5);
  });
});
