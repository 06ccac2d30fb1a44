import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { stateLayout } from '../../../src/config/state-layout.js';
import { request } from '../../helpers/api-client.js';
import { useTestCluster } from '../../helpers/use-test-cluster.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('shipping details from user events', () => {
  const cluster = useTestCluster({ logger: 1, user: 1, product: 1, order: 1 });

  /** The order service's copy of a user's shipping details, read from order.db (undefined while it has none). */
  const copyOf = (userId: number): { name: string; address: string; phone: string; profileVersion: number } | undefined => {
    const db = new Database(stateLayout(cluster.stateDir).database('order'), { readonly: true });
    try {
      return db.prepare('SELECT name, address, phone, profile_version AS profileVersion FROM user_shipping WHERE user_id = ?').get(userId) as
        { name: string; address: string; phone: string; profileVersion: number } | undefined;
    } finally {
      db.close();
    }
  };
  const withUserServiceStopped = async (work: () => Promise<void>): Promise<void> => {
    const user = cluster.instances.find((i) => i.kind === 'user')!;
    await user.proc.stop();
    try {
      await work();
    } finally {
      await cluster.start('user', 0);
    }
  };

  it('places an order with the details of USER_REGISTERED without calling the user service', async () => {
    const productId = await cluster.createProduct({ name: 'Copy A', price: 500, stock: 10 });
    const buyer = await cluster.customer({ name: 'Ada Lovelace', address: '12 Analytical St', phone: '555-0101' });
    await waitFor('the copy from USER_REGISTERED', () => copyOf(buyer.id));
    expect(copyOf(buyer.id)).toEqual({ name: 'Ada Lovelace', address: '12 Analytical St', phone: '555-0101', profileVersion: 0 });
    await withUserServiceStopped(async () => {
      const res = await request(cluster.url('order'), 'POST', '/api/orders', { token: buyer.token, body: { items: [{ productId, quantity: 2 }] } });
      expect(res.status).toBe(201);
      expect(res.body.order.shipping).toEqual({ name: 'Ada Lovelace', address: '12 Analytical St', phone: '555-0101' });
    });
    expect((await request(cluster.url('product'), 'GET', `/api/products/${productId}`)).body.product.stock).toBe(8);
  });

  it('follows PROFILE_UPDATED to the newest profile', async () => {
    const productId = await cluster.createProduct({ name: 'Copy B', price: 500, stock: 10 });
    const buyer = await cluster.customer({ name: 'Old', address: 'Old Road 1', phone: '555-0001' });
    await waitFor('the first copy', () => copyOf(buyer.id));
    for (const address of ['New Road 2', 'Newer Road 3']) {
      const patched = await request(cluster.url('user'), 'PATCH', '/api/users/me', { token: buyer.token, body: { address } });
      expect(patched.status).toBe(200);
    }
    await waitFor('the copy to follow', () => copyOf(buyer.id)?.address === 'Newer Road 3');
    expect(copyOf(buyer.id)?.profileVersion).toBe(2);
    await withUserServiceStopped(async () => {
      const res = await request(cluster.url('order'), 'POST', '/api/orders', { token: buyer.token, body: { items: [{ productId, quantity: 1 }] } });
      expect(res.status).toBe(201);
      expect(res.body.order.shipping).toEqual({ name: 'Old', address: 'Newer Road 3', phone: '555-0001' });
    });
  });
});
