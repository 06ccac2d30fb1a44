import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_STREAM } from '../../../src/services/shared/domain-event.js';
import { request } from '../../helpers/api-client.js';
import { runEcom } from '../../helpers/run-ecom-cli.js';
import { useTestCluster } from '../../helpers/use-test-cluster.js';
import { waitFor } from '../../helpers/wait-for.js';

type Item = { id: number; name: string; description: string; price: number; stock: number };

describe('ecom import products', () => {
  const cluster = useTestCluster({ logger: 1, user: 1, product: 2 });
  let admin: string;
  beforeAll(async () => {
    admin = await cluster.adminToken();
  });

  const file = (name: string, text: string): string => {
    const path = join(cluster.dir, name);
    writeFileSync(path, text);
    return path;
  };
  const importFile = (path: string, ...flags: string[]) => runEcom(['import', 'products', path, ...flags, '-c', cluster.configPath]);
  const all = async (): Promise<Item[]> => {
    const items: Item[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: Item[]; nextCursor: string | null } } = await request(
        cluster.url('product', 1),
        'GET',
        `/api/products?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      );
      items.push(...(res.body.items as Item[]));
      cursor = res.body.nextCursor;
    } while (cursor);
    return items;
  };
  const importEvents = async (): Promise<Array<Record<string, unknown>>> => {
    const redis = new Redis({ port: cluster.redis.port, maxRetriesPerRequest: 1 });
    try {
      const entries = await redis.xrange(EVENT_STREAM, '-', '+');
      return entries
        .filter(([, f]) => f[f.indexOf('type') + 1] === 'PRODUCTS_IMPORTED')
        .map(([, f]) => JSON.parse(f[f.indexOf('payload') + 1]!) as Record<string, unknown>);
    } finally {
      redis.disconnect();
    }
  };

  it('imports a good JSON Lines file in one go, with one event, visible on every instance', async () => {
    const before = (await all()).length;
    // A list page cached before the import must not hide the new products.
    expect((await request(cluster.url('product', 0), 'GET', '/api/products?limit=100')).status).toBe(200);
    const lines = Array.from({ length: 250 }, (_, i) => JSON.stringify({ name: `Jsonl item ${i + 1}`, description: 'from a file', price: 100 + i, stock: 5 }));
    const res = await importFile(file('good.jsonl', `${lines.join('\n')}\n`), '--json');
    expect(res.code, res.stderr).toBe(0);
    const summary = JSON.parse(res.stdout);
    expect(summary).toMatchObject({ format: 'jsonl', refused: false, imported: 250, skipped: 0, errors: [] });
    expect(summary.lastId - summary.firstId).toBe(249);
    const items = await all();
    expect(items).toHaveLength(before + 250);
    expect(items.at(-1)).toMatchObject({ id: summary.lastId, name: 'Jsonl item 250', description: 'from a file', price: 349, stock: 5 });
    const page = await request(cluster.url('product', 0), 'GET', '/api/products?limit=100');
    expect(page.body.items).toHaveLength(100);
    await waitFor('the import event', async () => (await importEvents()).some((e) => e.firstId === summary.firstId));
    expect((await importEvents()).filter((e) => e.firstId === summary.firstId)).toEqual([
      expect.objectContaining({ count: 250, skipped: 0, firstId: summary.firstId, lastId: summary.lastId }),
    ]);
  });

  it('reads CSV with a header in any order, quoted fields and an optional description', async () => {
    const csv = ['price,stock,name', '1999,3,"Lamp, with ""shade"""', '500,0,Plain mug', ''].join('\r\n');
    const res = await importFile(file('good.csv', csv), '--json');
    expect(res.code, res.stderr).toBe(0);
    const summary = JSON.parse(res.stdout);
    expect(summary).toMatchObject({ format: 'csv', imported: 2, skipped: 0 });
    const got = await request(cluster.url('product', 0), 'GET', `/api/products/${summary.firstId}`);
    expect(got.body.product).toMatchObject({ name: 'Lamp, with "shade"', description: '', price: 1999, stock: 3 });
  });

  it('refuses the whole file with --on-error abort (the default), naming every bad line, importing nothing', async () => {
    const before = (await all()).length;
    const csv = [
      'name,description,price,stock',
      'Fine,ok,100,1',
      'No price,x,,1',
      'Neg stock,x,100,-2',
      '"Broken,x,1,1',
      ',empty name,1,1',
      'Fine too,ok,5,5',
    ].join('\n');
    const res = await importFile(file('bad.csv', csv));
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/nothing imported .*4 bad rows/);
    for (const line of [3, 4, 5, 6]) expect(res.stdout).toMatch(new RegExp(`line ${line}: `));
    expect(res.stdout).not.toMatch(/line (2|7):/);
    expect(res.stderr).toMatch(/refused: line 3: price/);
    expect((await all()).length).toBe(before);
  });

  it('skips bad rows with --on-error skip and imports the rest, reporting the skipped lines', async () => {
    const before = await all();
    const lines = [
      JSON.stringify({ name: 'Keep 1', price: 1, stock: 1 }),
      '{not json',
      JSON.stringify({ name: 'Bad', price: 1.5, stock: 1 }),
      '',
      JSON.stringify({ name: 'Keep 2', price: 2, stock: 2 }),
    ];
    const res = await importFile(file('mixed.jsonl', lines.join('\n')), '--on-error', 'skip', '--json');
    expect(res.code, res.stderr).toBe(0);
    const summary = JSON.parse(res.stdout);
    expect(summary).toMatchObject({ imported: 2, skipped: 2, refused: false });
    expect(summary.errors).toEqual([
      { line: 2, message: 'not valid JSON' },
      { line: 3, message: 'price: expected integer cents from 0 to 1000000000' },
    ]);
    const after = await all();
    expect(after.slice(before.length).map((p) => p.name)).toEqual(['Keep 1', 'Keep 2']);
  });

  it('refuses a CSV without the needed columns even with --on-error skip, and bad flags with exit 2', async () => {
    const res = await importFile(file('nohead.csv', 'title,cost\nA,1\n'), '--on-error', 'skip');
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/line 1: header: expected the columns name, price and stock/);
    expect((await importFile(file('x.csv', 'name,price,stock\n'), '--on-error', 'maybe')).code).toBe(2);
  });

  it('answers 401 to an import without a token and 403 to a customer', async () => {
    const path = '/api/products/import?format=jsonl';
    expect((await request(cluster.url('product', 0), 'POST', path, { raw: '{}' })).status).toBe(401);
    const customer = await cluster.customer();
    expect((await request(cluster.url('product', 0), 'POST', path, { token: customer.token, raw: '{}' })).status).toBe(403);
    expect(admin).toBeTruthy();
  });
});
