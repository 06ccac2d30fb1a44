import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../helpers/api-client.js';
import { ecom } from '../../helpers/run-ecom-cli.js';
import { useTestCluster } from '../../helpers/use-test-cluster.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('domain events across services', () => {
  const cluster = useTestCluster({ logger: 1, user: 1, product: 1, order: 1 });
  let productId: number;
  const query = <T>(kind: string, sql: string, ...params: unknown[]): T => {
    const db = new Database(join(cluster.stateDir, 'data', `${kind}.db`), { readonly: true });
    try {
      return db.prepare(sql).get(...params) as T;
    } finally {
      db.close();
    }
  };
  beforeAll(async () => {
    productId = await cluster.createProduct({ name: 'Evented', price: 700, stock: 100 });
  });

  const order = async (token: string, quantity = 1): Promise<string> => {
    const res = await request(cluster.url('order'), 'POST', '/api/orders', { token, body: { items: [{ productId, quantity }] } });
    expect(res.status).toBe(201);
    return res.body.order.id;
  };
  const shippingOf = async (token: string, id: string) => (await request(cluster.url('order'), 'GET', `/api/orders/${id}`, { token })).body.order.shipping;

  it('updates the shipping details of open orders when the profile changes, for that user only', async () => {
    const ann = await cluster.customer({ name: 'Ann', address: 'Old Road 1' });
    const bob = await cluster.customer({ name: 'Bob', address: 'Bob Street 2' });
    const annOrder = await order(ann.token);
    const bobOrder = await order(bob.token);
    const patched = await request(cluster.url('user'), 'PATCH', '/api/users/me', {
      token: ann.token,
      body: { address: 'New Avenue 3', phone: '555-7' },
    });
    expect(patched.status).toBe(200);
    await waitFor('shipping updated', async () => (await shippingOf(ann.token, annOrder)).address === 'New Avenue 3');
    expect(await shippingOf(ann.token, annOrder)).toEqual({ name: 'Ann', address: 'New Avenue 3', phone: '555-7' });
    expect((await shippingOf(bob.token, bobOrder)).address).toBe('Bob Street 2');
  });

  it('delivers a profile change made while Redis was down once it is back', async () => {
    const cara = await cluster.customer({ name: 'Cara', address: 'Before 1' });
    const id = await order(cara.token);
    await cluster.redis.kill();
    const patched = await request(cluster.url('user'), 'PATCH', '/api/users/me', {
      token: cara.token,
      body: { address: 'During Outage 2' },
    });
    expect(patched.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(query<{ n: number }>('user', 'SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL').n).toBeGreaterThan(0);
    expect((await shippingOf(cara.token, id)).address).toBe('Before 1');
    await cluster.redis.restart();
    await waitFor('delivered after the outage', async () => (await shippingOf(cara.token, id)).address === 'During Outage 2', 20_000);
    await waitFor('outbox drained', () => query<{ n: number }>('user', 'SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL').n === 0);
  });

  it('counts sales from ORDER_PLACED and keeps an audit trail of every event type, each event once', async () => {
    const dan = await cluster.customer();
    const soldBefore = query<{ sold: number }>('product', 'SELECT sold FROM products WHERE id = ?', productId).sold;
    await order(dan.token, 3);
    await order(dan.token, 2);
    await waitFor('sales counted', () => query<{ sold: number }>('product', 'SELECT sold FROM products WHERE id = ?', productId).sold === soldBefore + 5);
    await request(cluster.url('user'), 'PATCH', '/api/users/me', { token: dan.token, body: { name: 'Dan Updated' } });
    const admin = await cluster.adminToken();
    const trail = await waitFor(
      'audit trail',
      async () => {
        const res = await request(cluster.url('logger'), 'GET', '/api/logs/audit?limit=1000', { token: admin });
        const types = new Set(res.body.items.map((e: { type: string }) => e.type));
        return types.has('USER_REGISTERED') &&
          types.has('PROFILE_UPDATED') &&
          types.has('ORDER_PLACED') &&
          res.body.items.some((e: { payload: { name?: string } }) => e.payload.name === 'Dan Updated')
          ? res.body.items
          : undefined;
      },
      15_000,
    );
    const ids = trail.map((e: { eventId: string }) => e.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    const customer = await cluster.customer();
    expect((await request(cluster.url('logger'), 'GET', '/api/logs/audit', { token: customer.token })).status).toBe(403);
  });

  it('shows the stream, group lag and outbox backlog with ecom events --json', async () => {
    // The relays publish within a few tens of milliseconds; wait until every outbox is empty.
    const overview = await waitFor('outboxes drained', async () => {
      const { stdout } = await ecom('events', '--json', '-c', cluster.configPath);
      const parsed = JSON.parse(stdout);
      return Object.values(parsed.outbox as Record<string, number>).every((n) => n === 0) ? parsed : undefined;
    });
    expect(overview.stream.length).toBeGreaterThan(0);
    expect(overview.groups.map((g: { name: string }) => g.name).sort()).toEqual(['logger', 'order', 'product']);
    expect(overview.outbox).toMatchObject({ user: 0, order: 0 });
    expect(overview.recent.length).toBeGreaterThan(0);
  });
});
