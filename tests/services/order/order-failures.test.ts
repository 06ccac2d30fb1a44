import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { stateLayout } from '../../../src/config/state-layout.js';
import { waitFor } from '../../helpers/wait-for.js';
import { request } from '../../helpers/api-client.js';
import { useTestCluster } from '../../helpers/use-test-cluster.js';

describe('orders when products are missing or the product service is down', () => {
  const cluster = useTestCluster({ logger: 1, user: 1, product: 2, order: 1 });

  const createProduct = (name: string, stock: number) => cluster.createProduct({ name, price: 900, stock });
  /** The running process of the cluster file's product instance at `index` (cluster.instances is in start order). */
  const productAt = (index: number) => {
    const found = cluster.instances.find((i) => i.kind === 'product' && i.url === cluster.url('product', index));
    if (!found) throw new Error(`product #${index} is not running`);
    return found;
  };
  const order = (token: string, items: Array<{ productId: number; quantity: number }>) =>
    request(cluster.url('order'), 'POST', '/api/orders', { token, body: { items } });

  it('refuses an unknown productId with 422 product_not_found and takes nothing from the other items', async () => {
    const a = await createProduct('Known', 5);
    const deleted = await createProduct('Gone', 5);
    expect((await request(cluster.url('product', 1), 'DELETE', `/api/products/${deleted}`, { token: await cluster.adminToken() })).status).toBe(204);
    const buyer = await cluster.customer();
    // The unknown id sorts after `a` (taken first, then rolled back); the deleted one sorts before it.
    for (const items of [
      [
        { productId: a, quantity: 2 },
        { productId: 999_999, quantity: 1 },
      ],
      [
        { productId: deleted, quantity: 1 },
        { productId: a, quantity: 2 },
      ],
    ]) {
      const res = await order(buyer.token, items);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('product_not_found');
      expect(await cluster.stockOf(a, 0)).toBe(5);
      expect(await cluster.stockOf(a, 1)).toBe(5);
    }
    const listed = await request(cluster.url('order'), 'GET', '/api/orders', { token: buyer.token });
    expect(listed.body.items).toEqual([]);
  });

  it('fails over to the other product instance when one is stopped', async () => {
    const id = await createProduct('Failover', 10);
    const buyer = await cluster.customer();
    await productAt(0).proc.stop();
    try {
      // Several orders, so the rotation starts at the stopped instance at least once.
      for (let i = 0; i < 4; i++) {
        const res = await order(buyer.token, [{ productId: id, quantity: 1 }]);
        expect(res.status).toBe(201);
      }
      expect(await cluster.stockOf(id, 1)).toBe(6);
      await expect(fetch(`${cluster.url('product', 0)}/health`)).rejects.toThrow();
    } finally {
      await cluster.start('product', 0);
    }
    expect(await cluster.stockOf(id, 0)).toBe(6);
  });

  it('answers 503 with a JSON error while every product instance is stopped, and recovers after restart', async () => {
    const id = await createProduct('Outage', 10);
    const buyer = await cluster.customer();
    expect(await cluster.stockOf(id)).toBe(10);

    await Promise.all([productAt(0).proc.stop(), productAt(1).proc.stop()]);
    try {
      for (let i = 0; i < 2; i++) {
        const res = await order(buyer.token, [{ productId: id, quantity: 3 }]);
        expect(res.status).toBe(503);
        expect(res.headers.get('content-type')).toMatch(/application\/json/);
        expect(res.body.error.code).toBe('product_unavailable');
        expect(typeof res.body.error.message).toBe('string');
      }
      // The order service itself stays up and answers.
      const health = await fetch(`${cluster.url('order')}/health`);
      expect(health.status).toBe(200);
    } finally {
      await cluster.start('product', 0);
      await cluster.start('product', 1);
    }

    expect(await cluster.stockOf(id, 0)).toBe(10);
    expect(await cluster.stockOf(id, 1)).toBe(10);
    const listed = await request(cluster.url('order'), 'GET', '/api/orders', { token: buyer.token });
    expect(listed.body.items).toEqual([]);

    const ok = await order(buyer.token, [{ productId: id, quantity: 3 }]);
    expect(ok.status).toBe(201);
    expect(await cluster.stockOf(id, 0)).toBe(7);
    expect(await cluster.stockOf(id, 1)).toBe(7);
  });

  it('answers 503 user_unavailable while the user service is stopped and no shipping copy exists, taking no stock', async () => {
    const id = await createProduct('No users', 4);
    const buyer = await cluster.customer();
    // The order service keeps shipping details from USER_REGISTERED; without that copy it must ask the user service.
    const orderDb = new Database(stateLayout(cluster.stateDir).database('order'));
    try {
      await waitFor('the shipping copy', () => orderDb.prepare('SELECT 1 FROM user_shipping WHERE user_id = ?').get(buyer.id));
      orderDb.prepare('DELETE FROM user_shipping WHERE user_id = ?').run(buyer.id);
    } finally {
      orderDb.close();
    }
    const user = cluster.instances.find((i) => i.kind === 'user')!;
    await user.proc.stop();
    try {
      const res = await order(buyer.token, [{ productId: id, quantity: 1 }]);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('user_unavailable');
    } finally {
      await cluster.start('user', 0);
    }
    expect(await cluster.stockOf(id)).toBe(4);
    const ok = await order(buyer.token, [{ productId: id, quantity: 1 }]);
    expect(ok.status).toBe(201);
    expect(await cluster.stockOf(id)).toBe(3);
  });
});
