import { afterEach, describe, expect, it } from 'vitest';
import { buildScenario, plainGetScenario } from '../../src/overload/build-scenario.js';
import { runLoad } from '../../src/overload/run-load.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';

describe('load scenarios', () => {
  let target: HttpTarget | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  it('plainGetScenario: idempotent GETs of one path', async () => {
    const user = await plainGetScenario('/p?q=1').createUser(1, async () => ({ status: 200, body: undefined }));
    expect(user.next()).toEqual({ method: 'GET', path: '/p?q=1', headers: {}, idempotent: true, endpoint: 'GET /p' });
  });

  it('refuses an unknown scenario name as a usage error', () => {
    expect(() => buildScenario('nope' as never)).toThrow(expect.objectContaining({ exitCode: 2, code: 'invalid_scenario' }));
  });

  it('refuses to load-test an empty catalogue, with a hint to seed, before sending any counted request', async () => {
    target = await startHttpTarget((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"items":[],"nextCursor":null}');
    });
    await expect(runLoad({ origin: target.origin, scenario: buildScenario('product'), concurrency: 1, requestCount: 1, timeoutMs: 2000 })).rejects.toThrow(
      expect.objectContaining({ code: 'no_products', hint: expect.stringContaining('ecom seed') }),
    );
    expect(target.seen()).toBe(1);
  });

  it('product: GETs of discovered product ids, marked idempotent', async () => {
    const scenario = buildScenario('product');
    await scenario.prepare(async () => ({ status: 200, body: { items: [{ id: 4, name: 'Blue Mug', stock: 1 }], nextCursor: null } }));
    const user = await scenario.createUser(1, async () => ({ status: 200, body: undefined }));
    expect(user.next()).toEqual({ method: 'GET', path: '/api/products/4', headers: {}, idempotent: true, endpoint: 'product' });
  });

  it('checkout: POSTs orders with a token and an idempotency key, marked safe to resend because of the key', async () => {
    const scenario = buildScenario('checkout', { users: 1 });
    await scenario.prepare(async (_method, path) =>
      path.endsWith('/login')
        ? { status: 200, body: { token: 'T' } }
        : { status: 200, body: { items: [{ id: 9, name: 'Red Pen', stock: 3 }], nextCursor: null } },
    );
    const user = await scenario.createUser(2, async () => ({ status: 500, body: undefined }));
    const spec = user.next();
    expect(spec).toMatchObject({ method: 'POST', path: '/api/orders', idempotent: true, endpoint: 'checkout' });
    expect(spec.headers.authorization).toBe('Bearer T');
    expect(spec.headers['idempotency-key']).toMatch(/.{8,}/);
    expect(JSON.parse(spec.body!)).toEqual({ items: [{ productId: 9, quantity: 1 }] });
  });

  it('browse: list pages and searches, each under its own endpoint', async () => {
    const scenario = buildScenario('browse');
    await scenario.prepare(async () => ({ status: 200, body: { items: [{ id: 4, name: 'Blue Mug', stock: 1 }], nextCursor: null } }));
    const user = await scenario.createUser(1, async () => ({ status: 200, body: undefined }));
    const seen = new Map<string, string>();
    for (let i = 0; i < 200; i++) {
      const spec = user.next();
      seen.set(spec.endpoint!, spec.path);
    }
    expect([...seen.keys()].sort()).toEqual(['list', 'search']);
    expect(seen.get('search')).toMatch(/[?&]q=/);
    expect(seen.get('list')).not.toMatch(/[?&]q=/);
  });
});
