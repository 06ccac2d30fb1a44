import { beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../helpers/api-client.js';
import { useTestCluster } from '../../helpers/use-test-cluster.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('order shipping details and owner', () => {
  const cluster = useTestCluster({ logger: 1, user: 1, product: 1, order: 1 });
  let productId: number;
  beforeAll(async () => {
    productId = await cluster.createProduct({ name: 'Parcel', price: 1000, stock: 100 });
  });

  it("takes name, address and phone from the caller's profile, never from the body", async () => {
    const buyer = await cluster.customer({ name: 'Grace Hopper', address: '7 Navy Yard, Arlington', phone: '555-0199' });
    const res = await request(cluster.url('order'), 'POST', '/api/orders', {
      token: buyer.token,
      body: {
        items: [{ productId, quantity: 1 }],
        shipping: { name: 'Mallory', address: '1 Evil Road', phone: '000' },
        name: 'Mallory',
        address: '1 Evil Road',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.order.shipping).toEqual({ name: 'Grace Hopper', address: '7 Navy Yard, Arlington', phone: '555-0199' });
    expect(res.body.order.userId).toBe(buyer.id);
    const stored = await request(cluster.url('order'), 'GET', `/api/orders/${res.body.order.id}`, { token: buyer.token });
    expect(stored.body.order.shipping).toEqual(res.body.order.shipping);
  });

  it('ignores a userId in the body: the order belongs to the token holder', async () => {
    const victim = await cluster.customer({ name: 'Victim', address: '2 Quiet Lane', phone: '555-0001' });
    const caller = await cluster.customer({ name: 'Caller', address: '3 Busy Street', phone: '555-0002' });
    const res = await request(cluster.url('order'), 'POST', '/api/orders', {
      token: caller.token,
      body: { userId: victim.id, items: [{ productId, quantity: 1 }] },
    });
    expect(res.status).toBe(201);
    expect(res.body.order.userId).toBe(caller.id);
    expect(res.body.order.shipping).toEqual({ name: 'Caller', address: '3 Busy Street', phone: '555-0002' });
    const victimOrders = await request(cluster.url('order'), 'GET', '/api/orders', { token: victim.token });
    expect(victimOrders.body.items).toEqual([]);
    const callerOrders = await request(cluster.url('order'), 'GET', '/api/orders', { token: caller.token });
    expect(callerOrders.body.items.map((o: { id: string }) => o.id)).toEqual([res.body.order.id]);
  });

  it('uses the updated profile for orders placed after a profile change', async () => {
    const buyer = await cluster.customer({ name: 'Old Name', address: 'Old Address 1', phone: '555-1111' });
    const first = await request(cluster.url('order'), 'POST', '/api/orders', {
      token: buyer.token,
      body: { items: [{ productId, quantity: 1 }] },
    });
    expect(first.body.order.shipping).toEqual({ name: 'Old Name', address: 'Old Address 1', phone: '555-1111' });
    const patched = await request(cluster.url('user'), 'PATCH', '/api/users/me', {
      token: buyer.token,
      body: { name: 'New Name', address: 'New Address 2', phone: '555-2222' },
    });
    expect(patched.status).toBe(200);
    const second = await request(cluster.url('order'), 'POST', '/api/orders', {
      token: buyer.token,
      body: { items: [{ productId, quantity: 1 }] },
    });
    expect(second.status).toBe(201);
    // The order service takes shipping details from its copy kept from user events; a copy the PROFILE_UPDATED event
    // has not reached yet is corrected on the placed order when it arrives.
    await waitFor('the order to carry the new details', async () => {
      const stored = await request(cluster.url('order'), 'GET', `/api/orders/${second.body.order.id}`, { token: buyer.token });
      return stored.body.order.shipping.address === 'New Address 2' ? stored : undefined;
    }).then((stored) => expect(stored.body.order.shipping).toEqual({ name: 'New Name', address: 'New Address 2', phone: '555-2222' }));
  });

  it('rejects invalid order bodies with 400 and takes no stock', async () => {
    const buyer = await cluster.customer();
    const before = (await request(cluster.url('product'), 'GET', `/api/products/${productId}`)).body.product.stock as number;
    for (const body of [
      {},
      { items: [] },
      { items: [{ productId, quantity: 0 }] },
      { items: [{ productId, quantity: -1 }] },
      { items: [{ productId, quantity: 1.5 }] },
      { items: [{ productId: 'abc', quantity: 1 }] },
      { items: [{ productId }] },
    ]) {
      const res = await request(cluster.url('order'), 'POST', '/api/orders', { token: buyer.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const malformed = await request(cluster.url('order'), 'POST', '/api/orders', { token: buyer.token, raw: '{"items": [' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('malformed_json');
    const after = (await request(cluster.url('product'), 'GET', `/api/products/${productId}`)).body.product.stock as number;
    expect(after).toBe(before);
  });
});
