import { beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../helpers/api-client.js';
import { useTestCluster } from '../../helpers/use-test-cluster.js';

type Item = { id: number; name: string; description: string };

describe('listing and searching products', () => {
  const cluster = useTestCluster({ logger: 1, user: 1, product: 2 });
  let admin: string;
  const created: number[] = [];
  const named = new Map<string, number>();

  beforeAll(async () => {
    admin = await cluster.adminToken();
    const fixtures = [
      ...Array.from({ length: 23 }, (_, i) => ({ name: `Widget ${i}`, description: 'plain' })),
      { name: 'Blue KETTLE', description: 'boils water' },
      { name: 'Teapot', description: 'pairs with a kettle' },
      { name: '100% cotton shirt', description: 'soft' },
      { name: '100 cotton shirt', description: 'also soft' },
      { name: 'snake_case mug', description: 'for programmers' },
      { name: 'snakeXcase mug', description: 'lookalike' },
      { name: 'Back\\slash poster', description: 'escape art' },
    ];
    for (const f of fixtures) {
      const res = await request(cluster.url('product', created.length % 2), 'POST', '/api/products', {
        token: admin,
        body: { ...f, price: 100, stock: 1 },
      });
      expect(res.status).toBe(201);
      created.push(res.body.product.id as number);
      named.set(f.name, res.body.product.id as number);
    }
  });

  async function walk(query: string, limit: number): Promise<{ ids: number[]; pages: number }> {
    const ids: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const params = new URLSearchParams(query);
      params.set('limit', String(limit));
      if (cursor) params.set('cursor', cursor);
      // Alternate instances: a cursor from one instance works on the other.
      const res = await request(cluster.url('product', pages % 2), 'GET', `/api/products?${params}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(limit);
      ids.push(...(res.body.items as Item[]).map((p) => p.id));
      cursor = res.body.nextCursor;
      pages++;
      expect(pages).toBeLessThan(100);
    } while (cursor);
    return { ids, pages };
  }

  it('walks every product exactly once with limit and cursor', async () => {
    for (const limit of [1, 7, 30, 100]) {
      const { ids, pages } = await walk('', limit);
      expect(ids).toEqual(created);
      expect(pages).toBe(Math.max(1, Math.ceil(created.length / limit)));
    }
  });

  it('defaults to 20 items with a cursor to the rest', async () => {
    const res = await request(cluster.url('product', 0), 'GET', '/api/products');
    expect(res.status).toBe(200);
    expect(res.body.items.map((p: Item) => p.id)).toEqual(created.slice(0, 20));
    expect(typeof res.body.nextCursor).toBe('string');
    const rest = await request(cluster.url('product', 1), 'GET', `/api/products?cursor=${res.body.nextCursor}`);
    expect(rest.body.items.map((p: Item) => p.id)).toEqual(created.slice(20));
    expect(rest.body.nextCursor).toBeNull();
  });

  it('shows a product created after a page was read', async () => {
    const first = await request(cluster.url('product', 0), 'GET', '/api/products?limit=100');
    const res = await request(cluster.url('product', 1), 'POST', '/api/products', {
      token: admin,
      body: { name: 'Latecomer', price: 1, stock: 1 },
    });
    const again = await request(cluster.url('product', 0), 'GET', '/api/products?limit=100');
    expect(again.body.items).toHaveLength(first.body.items.length + 1);
    expect(again.body.items.at(-1).id).toBe(res.body.product.id);
    // Keep the other tests' view of the catalogue unchanged.
    expect((await request(cluster.url('product', 0), 'DELETE', `/api/products/${res.body.product.id}`, { token: admin })).status).toBe(204);
    const gone = await request(cluster.url('product', 1), 'GET', '/api/products?limit=100');
    expect(gone.body.items.map((p: Item) => p.id)).toEqual(created);
  });

  const search = async (q: string, limit = 100): Promise<string[]> => {
    const { ids } = await walk(`q=${encodeURIComponent(q)}`, limit);
    const byId = new Map([...named].map(([name, id]) => [id, name]));
    return ids.map((id) => byId.get(id)!);
  };

  it('matches q in name or description, case-insensitively', async () => {
    expect(await search('kettle')).toEqual(['Blue KETTLE', 'Teapot']);
    expect(await search('KeTtLe')).toEqual(['Blue KETTLE', 'Teapot']);
    expect(await search('BOILS')).toEqual(['Blue KETTLE']);
    expect(await search('widget 1')).toEqual(['Widget 1', ...Array.from({ length: 10 }, (_, i) => `Widget 1${i}`)]);
    expect(await search('no such thing')).toEqual([]);
  });

  it('pages search results with the cursor', async () => {
    const all = await search('widget');
    expect(all).toHaveLength(23);
    expect(await search('widget', 4)).toEqual(all);
  });

  it('treats %, _ and \\ in q literally', async () => {
    expect(await search('%')).toEqual(['100% cotton shirt']);
    expect(await search('100%')).toEqual(['100% cotton shirt']);
    expect(await search('_')).toEqual(['snake_case mug']);
    expect(await search('snake_case')).toEqual(['snake_case mug']);
    expect(await search('\\')).toEqual(['Back\\slash poster']);
    expect(await search('100 cotton')).toEqual(['100 cotton shirt']);
  });

  it('rejects a bad limit or cursor with 400', async () => {
    for (const query of ['limit=0', 'limit=-1', 'limit=101', 'limit=abc', 'limit=2.5', 'cursor=!!!', 'cursor=bm90LWEtbnVtYmVy']) {
      const res = await request(cluster.url('product', 0), 'GET', `/api/products?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });
});
