import { describe, expect, it } from 'vitest';
import { request } from '../../helpers/api-client.js';
import { useTestCluster } from '../../helpers/use-test-cluster.js';

type Line = { productId: number; quantity: number };

describe('multi-item orders are all-or-nothing', () => {
  const cluster = useTestCluster({ logger: 1, user: 1, product: 2, order: 1 });

  const createProduct = (name: string, price: number, stock: number) => cluster.createProduct({ name, price, stock });
  const order = (token: string, items: Line[]) => request(cluster.url('order'), 'POST', '/api/orders', { token, body: { items } });

  it('refuses [A×1, B×5] when B has 2 and leaves both stocks untouched', async () => {
    const a = await createProduct('Alpha', 100, 10);
    const b = await createProduct('Beta', 200, 2); // higher id: reserved after A, so A must be rolled back
    const buyer = await cluster.customer();

    for (const items of [
      [
        { productId: a, quantity: 1 },
        { productId: b, quantity: 5 },
      ],
      [
        { productId: b, quantity: 5 },
        { productId: a, quantity: 1 },
      ],
    ]) {
      const res = await order(buyer.token, items);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('insufficient_stock');
      for (const index of [0, 1]) {
        expect(await cluster.stockOf(a, index)).toBe(10);
        expect(await cluster.stockOf(b, index)).toBe(2);
      }
    }
    const listed = await request(cluster.url('order'), 'GET', '/api/orders', { token: buyer.token });
    expect(listed.body.items).toEqual([]);

    // The same order within stock goes through and takes from both.
    const ok = await order(buyer.token, [
      { productId: a, quantity: 1 },
      { productId: b, quantity: 2 },
    ]);
    expect(ok.status).toBe(201);
    expect(await cluster.stockOf(a)).toBe(9);
    expect(await cluster.stockOf(b, 1)).toBe(0);
  });

  it('counts a product listed twice in one order against its stock as one quantity', async () => {
    const c = await createProduct('Gamma', 300, 3);
    const buyer = await cluster.customer();
    const refused = await order(buyer.token, [
      { productId: c, quantity: 2 },
      { productId: c, quantity: 2 },
    ]);
    expect(refused.status).toBe(409);
    expect(await cluster.stockOf(c)).toBe(3);
    const ok = await order(buyer.token, [
      { productId: c, quantity: 1 },
      { productId: c, quantity: 2 },
    ]);
    expect(ok.status).toBe(201);
    expect(ok.body.order.items).toEqual([{ productId: c, quantity: 3, unitPrice: 300 }]);
    expect(ok.body.order.total).toBe(900);
    expect(await cluster.stockOf(c)).toBe(0);
  });

  it('never oversells any product under concurrent overlapping multi-item orders', async () => {
    const stock = { p1: 7, p2: 5, p3: 9 };
    const p1 = await createProduct('Overlap 1', 110, stock.p1);
    const p2 = await createProduct('Overlap 2', 220, stock.p2);
    const p3 = await createProduct('Overlap 3', 330, stock.p3);
    const initial = new Map([
      [p1, stock.p1],
      [p2, stock.p2],
      [p3, stock.p3],
    ]);
    const shapes: Line[][] = [
      [
        { productId: p1, quantity: 1 },
        { productId: p2, quantity: 1 },
      ],
      [
        { productId: p3, quantity: 2 },
        { productId: p2, quantity: 1 },
      ],
      [
        { productId: p1, quantity: 2 },
        { productId: p3, quantity: 1 },
      ],
      [
        { productId: p1, quantity: 1 },
        { productId: p2, quantity: 1 },
        { productId: p3, quantity: 1 },
      ],
    ];
    const buyers = await Promise.all([cluster.customer(), cluster.customer(), cluster.customer()]);
    const requests = Array.from({ length: 40 }, (_, i) => ({ token: buyers[i % buyers.length]!.token, items: shapes[i % shapes.length]! }));
    const results = await Promise.all(requests.map((r) => order(r.token, r.items)));

    const placed = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 409);
    expect(placed.length + refused.length).toBe(40);
    expect(placed.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.body.error.code).toBe('insufficient_stock');

    // Every placed order got exactly what it asked for.
    results.forEach((r, i) => {
      if (r.status !== 201) return;
      const asked = [...requests[i]!.items].sort((x, y) => x.productId - y.productId);
      expect(r.body.order.items.map((l: Line) => ({ productId: l.productId, quantity: l.quantity }))).toEqual(asked);
    });

    // The stock taken is exactly what the persisted orders hold, and never more than there was.
    const all = await request(cluster.url('order'), 'GET', '/api/orders?limit=200', { token: await cluster.adminToken() });
    expect(all.status).toBe(200);
    expect(all.body.nextCursor).toBeNull();
    const ordered = new Map<number, number>();
    for (const o of all.body.items as Array<{ items: Line[] }>) {
      for (const l of o.items) if (initial.has(l.productId)) ordered.set(l.productId, (ordered.get(l.productId) ?? 0) + l.quantity);
    }
    const placedIds = new Set(placed.map((r) => r.body.order.id as string));
    const persistedIds = new Set(
      (all.body.items as Array<{ id: string; items: Line[] }>).filter((o) => o.items.some((l) => initial.has(l.productId))).map((o) => o.id),
    );
    expect(persistedIds).toEqual(placedIds);
    for (const [id, start] of initial) {
      for (const index of [0, 1]) {
        const left = await cluster.stockOf(id, index);
        expect(left).toBeGreaterThanOrEqual(0);
        expect(start - left).toBe(ordered.get(id) ?? 0);
      }
    }
  });
});
