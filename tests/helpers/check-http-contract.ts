import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { request, type ApiResponse } from './api-client.js';

/** What the contract checks need: the gateway's base URL and the admin account (from `<stateDir>/credentials.json`). */
export interface ContractTarget {
  baseUrl: string;
  admin: { email: string; password: string };
}

/** The target for a cluster whose state dir is `stateDir` and gateway listens on `127.0.0.1:<gatewayPort>`. */
export function contractTarget(stateDir: string, gatewayPort: number): ContractTarget {
  const { admin } = JSON.parse(readFileSync(join(stateDir, 'credentials.json'), 'utf8')) as ContractTarget;
  return { baseUrl: `http://127.0.0.1:${gatewayPort}`, admin };
}

/** What one run of the checks saw (for the test's log). */
export interface ContractReport {
  checks: string[];
  ordersPlaced: number;
  ordersRefused: number;
}

const SIGN_IN_PATHS = new Set(['/api/users/register', '/api/users/login']);

/** One request; sign-ins and sign-ups the gateway rate-limits (429 `rate_limited`, `Retry-After: 1`) are sent again after the wait, as clients must. */
async function send(target: ContractTarget, method: string, path: string, options: Parameters<typeof request>[3] = {}): Promise<ApiResponse> {
  for (let attempt = 0; ; attempt++) {
    const res = await request(target.baseUrl, method, path, options);
    if (res.status !== 429 || !SIGN_IN_PATHS.has(path) || attempt >= 5) return res;
    await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)));
  }
}

/** The documented error shape: `{error: {code, message}}` with this status and code. */
function expectError(res: ApiResponse, status: number, code: string, what: string): void {
  expect(res.status, `${what}: ${res.text}`).toBe(status);
  expect(res.body?.error?.code, `${what}: ${res.text}`).toBe(code);
  expect(typeof res.body.error.message, `${what}: error.message`).toBe('string');
}

/** A user as docs/http-api.md defines it, never with a password hash. */
function expectUser(user: Record<string, unknown>, email: string): void {
  expect(user).toMatchObject({ email, role: 'customer' });
  expect(typeof user.id).toBe('number');
  for (const key of Object.keys(user)) expect(key.toLowerCase()).not.toContain('password');
}

/**
 * The HTTP contract of docs/http-api.md, through the gateway, as a client sees it: sign-up and log-in (and their
 * errors), products listed and fetched (ETag, `X-Instance-Id`, 404 shape), orders placed concurrently on a small
 * stock without overselling (every order either 201 or 409 `insufficient_stock`, placed + remaining = stock),
 * `Idempotency-Key` replay (same order, stock taken once; another body 422), orders visible only to their owner, and
 * bad input (400 `validation_failed` with `details.fields`, 400 `malformed_json`, 404 `route_not_found`). Runs
 * unchanged against any runtime; each run uses fresh accounts and products.
 */
export async function checkHttpContract(target: ContractTarget, options: { concurrentOrders?: number; stock?: number } = {}): Promise<ContractReport> {
  const checks: string[] = [];
  const tag = randomUUID().slice(0, 8);
  const password = `pw-${randomUUID()}`;

  // Sign up, duplicate sign-up, log in, wrong password, who am I.
  const email = `contract-${tag}@example.test`;
  const registered = await send(target, 'POST', '/api/users/register', {
    body: { email: email.toUpperCase(), password, name: 'Contract One', address: '1 Test Street' },
  });
  expect(registered.status, registered.text).toBe(201);
  expectUser(registered.body.user, email);
  expectError(await send(target, 'POST', '/api/users/register', { body: { email, password, name: 'Again' } }), 409, 'email_taken', 'duplicate sign-up');
  const login = await send(target, 'POST', '/api/users/login', { body: { email, password } });
  expect(login.status, login.text).toBe(200);
  expect(typeof login.body.token).toBe('string');
  expectUser(login.body.user, email);
  const token = login.body.token as string;
  expectError(await send(target, 'POST', '/api/users/login', { body: { email, password: `${password}-wrong` } }), 401, 'invalid_credentials', 'wrong password');
  const me = await send(target, 'GET', '/api/users/me', { token });
  expect(me.status, me.text).toBe(200);
  expect(me.body.user.id).toBe(registered.body.user.id);
  expectError(await send(target, 'GET', '/api/users/me'), 401, 'unauthorized', 'no token');
  expectError(await send(target, 'GET', '/api/users/me', { token: `${token}x` }), 401, 'invalid_token', 'tampered token');
  checks.push('auth');

  // Products: the admin creates two with small stock; list, get, ETag, 404.
  const adminLogin = await send(target, 'POST', '/api/users/login', { body: target.admin });
  expect(adminLogin.status, adminLogin.text).toBe(200);
  const adminToken = adminLogin.body.token as string;
  const stock = options.stock ?? 5;
  const create = async (name: string, units: number): Promise<number> => {
    const res = await send(target, 'POST', '/api/products', { token: adminToken, body: { name, description: `contract ${tag}`, price: 1250, stock: units } });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/products/${res.body.product.id}`);
    return res.body.product.id as number;
  };
  expectError(await send(target, 'POST', '/api/products', { token, body: { name: 'x', price: 1, stock: 1 } }), 403, 'forbidden', 'customer creates a product');
  const scarce = await create(`Scarce ${tag}`, stock);
  const keyed = await create(`Keyed ${tag}`, 3);
  const got = await send(target, 'GET', `/api/products/${scarce}`, { token });
  expect(got.status, got.text).toBe(200);
  expect(got.body.product).toEqual({ id: scarce, name: `Scarce ${tag}`, description: `contract ${tag}`, price: 1250, stock, version: 1 });
  expect(got.headers.get('etag')).toBe('"1"');
  expect(got.headers.get('x-instance-id')).toMatch(/^product-\d+$/);
  const page = await send(target, 'GET', '/api/products?limit=2');
  expect(page.status, page.text).toBe(200);
  expect(Array.isArray(page.body.items) && page.body.items.length <= 2).toBe(true);
  expect('nextCursor' in page.body).toBe(true);
  expectError(await send(target, 'GET', '/api/products/999999999', { token }), 404, 'product_not_found', 'unknown product');
  checks.push('products');

  // Concurrent orders of one unit each on `stock` units: never more placed than there were.
  const orders = options.concurrentOrders ?? stock * 2 + 2;
  const placed = await Promise.all(
    Array.from({ length: orders }, () => send(target, 'POST', '/api/orders', { token, body: { items: [{ productId: scarce, quantity: 1 }] } })),
  );
  const created = placed.filter((r) => r.status === 201);
  for (const r of placed.filter((x) => x.status !== 201)) expectError(r, 409, 'insufficient_stock', 'an order beyond the stock');
  expect(created).toHaveLength(stock);
  for (const r of created)
    expect(r.body.order).toMatchObject({
      userId: registered.body.user.id,
      total: 1250,
      status: 'placed',
      items: [{ productId: scarce, quantity: 1, unitPrice: 1250 }],
    });
  const left = await send(target, 'GET', `/api/products/${scarce}`, { token });
  expect(left.body.product.stock, 'stock after the concurrent orders').toBe(0);
  checks.push('orders without oversell');

  // Idempotency: the same key twice is one order and one stock movement; the key with other items is refused.
  const key = `contract-${tag}`;
  const first = await send(target, 'POST', '/api/orders', { token, headers: { 'idempotency-key': key }, body: { items: [{ productId: keyed, quantity: 2 }] } });
  expect(first.status, first.text).toBe(201);
  const again = await send(target, 'POST', '/api/orders', { token, headers: { 'idempotency-key': key }, body: { items: [{ productId: keyed, quantity: 2 }] } });
  expect(again.status, again.text).toBe(201);
  expect(again.headers.get('idempotent-replayed')).toBe('true');
  expect(again.body.order.id).toBe(first.body.order.id);
  expect((await send(target, 'GET', `/api/products/${keyed}`, { token })).body.product.stock).toBe(1);
  const reused = await send(target, 'POST', '/api/orders', {
    token,
    headers: { 'idempotency-key': key },
    body: { items: [{ productId: keyed, quantity: 1 }] },
  });
  expectError(reused, 422, 'idempotency_key_reused', 'the key with other items');
  checks.push('idempotency key replay');

  // Orders are their owner's: another customer sees none of them.
  const otherEmail = `contract-${tag}-b@example.test`;
  expect((await send(target, 'POST', '/api/users/register', { body: { email: otherEmail, password, name: 'Contract Two' } })).status).toBe(201);
  const other = (await send(target, 'POST', '/api/users/login', { body: { email: otherEmail, password } })).body.token as string;
  expectError(await send(target, 'GET', `/api/orders/${first.body.order.id}`, { token: other }), 404, 'order_not_found', "someone else's order");
  const mine = await send(target, 'GET', '/api/orders', { token });
  expect(mine.status, mine.text).toBe(200);
  expect(mine.body.items.map((o: { id: string }) => o.id)).toContain(first.body.order.id);
  checks.push('orders are private');

  // Bad input.
  const invalid = await send(target, 'POST', '/api/users/register', { body: { email: 'not-an-email', password: 'short', name: '' } });
  expectError(invalid, 400, 'validation_failed', 'invalid sign-up');
  expect(invalid.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['email', 'password']));
  expectError(await send(target, 'POST', '/api/orders', { token, raw: '{"items": [' }), 400, 'malformed_json', 'malformed JSON');
  expectError(await send(target, 'POST', '/api/orders', { token, body: { items: [] } }), 400, 'validation_failed', 'an order without lines');
  expectError(
    await send(target, 'POST', '/api/orders', { token, body: { items: [{ productId: scarce, quantity: 0 }] } }),
    400,
    'validation_failed',
    'quantity 0',
  );
  expectError(await send(target, 'GET', '/api/nowhere'), 404, 'route_not_found', 'a route outside the four prefixes');
  checks.push('bad input');

  return { checks, ordersPlaced: created.length, ordersRefused: placed.length - created.length };
}
