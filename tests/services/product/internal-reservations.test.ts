import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../helpers/api-client.js';
import { useTestCluster } from '../../helpers/use-test-cluster.js';

describe('internal reservation routes', () => {
  const cluster = useTestCluster({ logger: 1, user: 1, product: 2 });
  let admin: string;
  let clusterToken: string;
  beforeAll(async () => {
    admin = await cluster.adminToken();
    clusterToken = cluster.credentials().clusterToken;
  });

  async function createProduct(stock: number): Promise<number> {
    const res = await request(cluster.url('product', 0), 'POST', '/api/products', {
      token: admin,
      body: { name: 'Held', price: 450, stock },
    });
    expect(res.status).toBe(201);
    return res.body.product.id as number;
  }
  async function stockOf(id: number, index = 0): Promise<number> {
    return (await request(cluster.url('product', index), 'GET', `/api/products/${id}`)).body.product.stock as number;
  }

  it('refuses PUT and DELETE /internal/reservations/x without the cluster token (401) and with a user token (403)', async () => {
    const productId = await createProduct(5);
    const customer = await cluster.customer();
    const body = { items: [{ productId, quantity: 2 }] };
    for (const id of ['x', randomUUID()]) {
      const path = `/internal/reservations/${id}`;
      const anonymous = await request(cluster.url('product', 0), 'PUT', path, { body });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error.code).toBe('unauthorized');
      const wrong = await request(cluster.url('product', 1), 'PUT', path, { body, token: `${clusterToken}x` });
      expect(wrong.status).toBe(401);
      for (const token of [customer.token, admin]) {
        const res = await request(cluster.url('product', 0), 'PUT', path, { body, token });
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
        const release = await request(cluster.url('product', 1), 'DELETE', path, { token });
        expect(release.status).toBe(403);
      }
      expect((await request(cluster.url('product', 1), 'DELETE', path)).status).toBe(401);
    }
    expect(await stockOf(productId)).toBe(5);
  });

  it('reserves with the cluster token, idempotently by id, and gives stock back on release', async () => {
    const productId = await createProduct(5);
    const id = randomUUID();
    const path = `/internal/reservations/${id}`;
    const body = { items: [{ productId, quantity: 2 }] };
    const first = await request(cluster.url('product', 0), 'PUT', path, { body, token: clusterToken });
    expect(first.status).toBe(201);
    expect(first.body.reservation).toEqual({ id, items: [{ productId, quantity: 2, unitPrice: 450 }] });
    const replay = await request(cluster.url('product', 1), 'PUT', path, { body, token: clusterToken });
    expect(replay.status).toBe(200);
    expect(replay.body.reservation).toEqual(first.body.reservation);
    expect(await stockOf(productId, 0)).toBe(3);
    expect(await stockOf(productId, 1)).toBe(3);

    const release = await request(cluster.url('product', 1), 'DELETE', path, { token: clusterToken });
    expect(release.status).toBe(204);
    expect((await request(cluster.url('product', 0), 'DELETE', path, { token: clusterToken })).status).toBe(204);
    expect(await stockOf(productId, 0)).toBe(5);
    expect(await stockOf(productId, 1)).toBe(5);

    const late = await request(cluster.url('product', 0), 'PUT', path, { body, token: clusterToken });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('reservation_released');
    expect(await stockOf(productId)).toBe(5);
  });

  it('reserves many orders in one batch call, each answered as its own call would be, all or nothing per entry', async () => {
    const a = await createProduct(3);
    const b = await createProduct(1);
    const [first, second, third] = [randomUUID(), randomUUID(), randomUUID()];
    const reservations = [
      { id: first, items: [{ productId: a, quantity: 2 }] },
      // Needs 2 of b, which has 1: refused, and takes nothing of a either.
      {
        id: second,
        items: [
          { productId: a, quantity: 1 },
          { productId: b, quantity: 2 },
        ],
      },
      { id: third, items: [{ productId: b, quantity: 1 }] },
    ];
    expect((await request(cluster.url('product', 0), 'PUT', '/internal/reservations', { body: { reservations } })).status).toBe(401);
    const res = await request(cluster.url('product', 0), 'PUT', '/internal/reservations', { body: { reservations }, token: clusterToken });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { id: string; status: number }) => [r.id, r.status])).toEqual([
      [first, 201],
      [second, 409],
      [third, 201],
    ]);
    expect(res.body.results[0].body.reservation).toEqual({ id: first, items: [{ productId: a, quantity: 2, unitPrice: 450 }] });
    expect(res.body.results[1].body.error.code).toBe('insufficient_stock');
    expect(await stockOf(a, 1)).toBe(1);
    expect(await stockOf(b, 1)).toBe(0);
    // The same batch again replays the reservations it made (200) and takes nothing more.
    const again = await request(cluster.url('product', 1), 'PUT', '/internal/reservations', { body: { reservations }, token: clusterToken });
    expect(again.body.results.map((r: { status: number }) => r.status)).toEqual([200, 409, 200]);
    expect(await stockOf(a, 0)).toBe(1);
    expect(await stockOf(b, 0)).toBe(0);
  });

  it('refuses a reserve after the release of an unknown id (tombstone)', async () => {
    const productId = await createProduct(5);
    const path = `/internal/reservations/${randomUUID()}`;
    expect((await request(cluster.url('product', 0), 'DELETE', path, { token: clusterToken })).status).toBe(204);
    const res = await request(cluster.url('product', 1), 'PUT', path, {
      body: { items: [{ productId, quantity: 1 }] },
      token: clusterToken,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('reservation_released');
    expect(await stockOf(productId)).toBe(5);
  });

  it('validates the reservation id and body (400)', async () => {
    const productId = await createProduct(5);
    const short = await request(cluster.url('product', 0), 'PUT', '/internal/reservations/x', {
      body: { items: [{ productId, quantity: 1 }] },
      token: clusterToken,
    });
    expect(short.status).toBe(400);
    for (const body of [{}, { items: [] }, { items: [{ productId, quantity: 0 }] }]) {
      const res = await request(cluster.url('product', 0), 'PUT', `/internal/reservations/${randomUUID()}`, { body, token: clusterToken });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await stockOf(productId)).toBe(5);
  });
});
