import { beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../helpers/api-client.js';
import { useTestCluster } from '../../helpers/use-test-cluster.js';

describe('who may change the catalogue', () => {
  const cluster = useTestCluster({ logger: 1, user: 1, product: 1 });
  let admin: string;
  let customer: { token: string };
  let product: { id: number; name: string; price: number; stock: number; version: number };

  beforeAll(async () => {
    admin = await cluster.adminToken();
    customer = await cluster.customer();
    const res = await request(cluster.url('product'), 'POST', '/api/products', {
      token: admin,
      body: { name: 'Guarded', price: 300, stock: 4 },
    });
    expect(res.status).toBe(201);
    product = res.body.product;
  });

  const writes = (): Array<[string, string, unknown]> => [
    ['POST', '/api/products', { name: 'Sneaky', price: 1, stock: 1 }],
    ['PATCH', `/api/products/${product.id}`, { price: 1, version: product.version }],
    ['DELETE', `/api/products/${product.id}`, undefined],
  ];

  async function expectUnchanged(): Promise<void> {
    const res = await request(cluster.url('product'), 'GET', `/api/products/${product.id}`);
    expect(res.status).toBe(200);
    expect(res.body.product).toEqual({ ...product });
    const list = await request(cluster.url('product'), 'GET', '/api/products?limit=100');
    expect(list.body.items.map((p: { id: number }) => p.id)).toEqual([product.id]);
  }

  it('refuses customers with 403', async () => {
    for (const [method, path, body] of writes()) {
      const res = await request(cluster.url('product'), method, path, { token: customer.token, ...(body === undefined ? {} : { body }) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    await expectUnchanged();
  });

  it('refuses requests without a token, with a bad one or with the cluster token with 401', async () => {
    const tamper = (token: string): string => {
      const [head, payload, sig] = token.split('.') as [string, string, string];
      return `${head}.${payload}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    };
    const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsignedAdmin = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: '1', role: 'admin', iss: 'ecom', exp: Math.floor(Date.now() / 1000) + 600 })}.`;
    for (const token of [undefined, 'garbage', unsignedAdmin, tamper(admin), cluster.credentials().clusterToken]) {
      for (const [method, path, body] of writes()) {
        const res = await request(cluster.url('product'), method, path, {
          ...(token === undefined ? {} : { token }),
          ...(body === undefined ? {} : { body }),
        });
        expect(res.status, `${method} ${path} with ${token?.slice(0, 12)}`).toBe(401);
        expect(res.body.error.code).toMatch(/^[a-z_]+$/);
      }
    }
    const malformedHeader = await request(cluster.url('product'), 'POST', '/api/products', {
      headers: { authorization: 'Token abc' },
      body: { name: 'x', price: 1, stock: 1 },
    });
    expect(malformedHeader.status).toBe(401);
    await expectUnchanged();
  });

  it('lets anyone read the catalogue', async () => {
    const anonymous = await request(cluster.url('product'), 'GET', `/api/products/${product.id}`);
    expect(anonymous.status).toBe(200);
    const asCustomer = await request(cluster.url('product'), 'GET', '/api/products', { token: customer.token });
    expect(asCustomer.status).toBe(200);
    expect(asCustomer.body.items).toHaveLength(1);
  });

  it('validates admin writes (400) and refuses oversized bodies (413)', async () => {
    for (const body of [
      {},
      { name: 'x', price: -1, stock: 1 },
      { name: 'x', price: 1.5, stock: 1 },
      { name: ' ', price: 1, stock: 1 },
      { name: 'x', price: 1, stock: -1 },
    ]) {
      const res = await request(cluster.url('product'), 'POST', '/api/products', { token: admin, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const huge = await request(cluster.url('product'), 'POST', '/api/products', {
      token: admin,
      body: { name: 'x', description: 'y'.repeat(100_000), price: 1, stock: 1 },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
    await expectUnchanged();
  });
});
