import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../helpers/api-client.js';
import { useTestCluster } from '../../helpers/use-test-cluster.js';

describe('who sees which orders', () => {
  const cluster = useTestCluster({ logger: 1, user: 1, product: 1, order: 1 });
  let admin: string;
  let productId: number;
  let alice: { id: number; token: string };
  let bob: { id: number; token: string };
  const aliceOrders: string[] = [];
  const bobOrders: string[] = [];

  beforeAll(async () => {
    admin = await cluster.adminToken();
    productId = await cluster.createProduct({ name: 'Shared', price: 100, stock: 100 });
    alice = await cluster.customer({ name: 'Alice' });
    bob = await cluster.customer({ name: 'Bob' });
    for (const [who, ids, n] of [
      [alice, aliceOrders, 3],
      [bob, bobOrders, 2],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const res = await request(cluster.url('order'), 'POST', '/api/orders', {
          token: who.token,
          body: { items: [{ productId, quantity: 1 }] },
        });
        expect(res.status).toBe(201);
        ids.push(res.body.order.id as string);
      }
    }
  });

  /** The token with the first character of its signature changed (a full 6 bits, so the signature surely differs). */
  const tamper = (token: string): string => {
    const [head, payload, sig] = token.split('.') as [string, string, string];
    return `${head}.${payload}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
  };
  const ids = (body: { items: Array<{ id: string }> }): string[] => body.items.map((o) => o.id);

  it("lists only the caller's own orders", async () => {
    const a = await request(cluster.url('order'), 'GET', '/api/orders', { token: alice.token });
    expect(a.status).toBe(200);
    expect(ids(a.body)).toEqual(aliceOrders);
    expect(a.body.items.every((o: { userId: number }) => o.userId === alice.id)).toBe(true);
    const b = await request(cluster.url('order'), 'GET', '/api/orders', { token: bob.token });
    expect(ids(b.body)).toEqual(bobOrders);
    const nobody = await cluster.customer();
    const none = await request(cluster.url('order'), 'GET', '/api/orders', { token: nobody.token });
    expect(none.body).toEqual({ items: [], nextCursor: null });
  });

  it('lists everyone’s orders for an admin', async () => {
    const all = await request(cluster.url('order'), 'GET', '/api/orders', { token: admin });
    expect(all.status).toBe(200);
    expect(ids(all.body).sort()).toEqual([...aliceOrders, ...bobOrders].sort());
  });

  it('pages the own list with limit and cursor without leaking other users', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = await request(cluster.url('order'), 'GET', `/api/orders${query}`, { token: alice.token });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...ids(page.body));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(2);
    expect(seen).toEqual(aliceOrders);
    const bad = await request(cluster.url('order'), 'GET', '/api/orders?limit=0', { token: alice.token });
    expect(bad.status).toBe(400);
  });

  it("answers 404 for someone else's order and 200 for one's own or as admin", async () => {
    const own = await request(cluster.url('order'), 'GET', `/api/orders/${aliceOrders[0]}`, { token: alice.token });
    expect(own.status).toBe(200);
    expect(own.body.order.id).toBe(aliceOrders[0]);
    const other = await request(cluster.url('order'), 'GET', `/api/orders/${aliceOrders[0]}`, { token: bob.token });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('order_not_found');
    expect(other.text).not.toContain('Alice');
    const asAdmin = await request(cluster.url('order'), 'GET', `/api/orders/${bobOrders[0]}`, { token: admin });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.order.userId).toBe(bob.id);
  });

  it('answers 404 for unknown and malformed order ids', async () => {
    for (const id of [randomUUID(), 'not-an-id', '123', `${aliceOrders[0]}x`, "1' OR '1'='1"]) {
      const res = await request(cluster.url('order'), 'GET', `/api/orders/${encodeURIComponent(id)}`, { token: alice.token });
      expect(res.status, id).toBe(404);
      expect(res.body.error.code).toBe('order_not_found');
    }
  });

  it('needs a valid token for every order route (401)', async () => {
    const calls: Array<[string, string, unknown?]> = [
      ['GET', '/api/orders'],
      ['GET', `/api/orders/${aliceOrders[0]}`],
      ['POST', '/api/orders', { items: [{ productId, quantity: 1 }] }],
    ];
    for (const [method, path, body] of calls) {
      const anonymous = await request(cluster.url('order'), method, path, body === undefined ? {} : { body });
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      expect(anonymous.body.error.code).toMatch(/^[a-z_]+$/);
      const forged = await request(cluster.url('order'), method, path, {
        token: tamper(alice.token),
        ...(body === undefined ? {} : { body }),
      });
      expect(forged.status, `${method} ${path} forged`).toBe(401);
    }
    // An unsigned token (alg: none) claiming to be the admin.
    const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: String(alice.id), role: 'admin', iss: 'ecom', exp: Math.floor(Date.now() / 1000) + 600 })}.`;
    const res = await request(cluster.url('order'), 'GET', '/api/orders', { token: none });
    expect(res.status).toBe(401);
    // The cluster token is not a user token either.
    const cluster401 = await request(cluster.url('order'), 'GET', '/api/orders', { token: cluster.credentials().clusterToken });
    expect(cluster401.status).toBe(401);
    const stock = await request(cluster.url('product'), 'GET', `/api/products/${productId}`);
    expect(stock.body.product.stock).toBe(95);
  });
});
