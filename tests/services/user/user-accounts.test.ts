import { SignJWT } from 'jose';
import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../helpers/api-client.js';
import { useTestCluster } from '../../helpers/use-test-cluster.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('user service', () => {
  const cluster = useTestCluster({ logger: 1, user: 1, product: 1 });
  let url: string;
  beforeAll(async () => {
    url = cluster.url('user');
  });

  it('registers customers only, never returns a hash, refuses a taken email whatever its case', async () => {
    const reg = await request(url, 'POST', '/api/users/register', {
      body: { email: 'Ann@Example.com', password: 'correct-horse', name: 'Ann', role: 'admin', address: '1 Road' },
    });
    expect(reg.status).toBe(201);
    expect(reg.body.user).toMatchObject({ email: 'ann@example.com', role: 'customer', name: 'Ann', address: '1 Road' });
    expect(reg.text).not.toMatch(/scrypt|password/i);
    const again = await request(url, 'POST', '/api/users/register', {
      body: { email: 'ANN@example.com', password: 'other-password', name: 'Ann 2' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('email_taken');
  });

  it('logs in with the right password only and serves and edits the own profile', async () => {
    const bad = await request(url, 'POST', '/api/users/login', { body: { email: 'ann@example.com', password: 'wrong-password' } });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('invalid_credentials');
    const unknown = await request(url, 'POST', '/api/users/login', { body: { email: 'nobody@example.com', password: 'whatever1' } });
    expect(unknown.status).toBe(401);
    const login = await request(url, 'POST', '/api/users/login', { body: { email: 'ann@example.com', password: 'correct-horse' } });
    expect(login.status).toBe(200);
    expect(login.body.user.role).toBe('customer');
    const token = login.body.token as string;
    const me = await request(url, 'GET', '/api/users/me', { token });
    expect(me.body.user.email).toBe('ann@example.com');
    const patched = await request(url, 'PATCH', '/api/users/me', { token, body: { address: '2 Lane', phone: '555' } });
    expect(patched.status).toBe(200);
    expect(patched.body.user).toMatchObject({ address: '2 Lane', phone: '555', name: 'Ann' });
    expect((await request(url, 'GET', '/api/users/me', { token })).body.user.address).toBe('2 Lane');
    const escalate = await request(url, 'PATCH', '/api/users/me', { token, body: { role: 'admin' } });
    expect(escalate.status).toBe(400);
    expect(escalate.body.error.message).toContain('role');
    expect((await request(url, 'GET', '/api/users/me', { token })).body.user.role).toBe('customer');
  });

  it('lets a user read only their own account, and the admin any', async () => {
    const a = await cluster.customer();
    const b = await cluster.customer();
    expect((await request(url, 'GET', `/api/users/${a.id}`, { token: a.token })).status).toBe(200);
    const other = await request(url, 'GET', `/api/users/${b.id}`, { token: a.token });
    expect(other.status).toBe(403);
    const admin = await cluster.adminToken();
    expect((await request(url, 'GET', `/api/users/${b.id}`, { token: admin })).body.user.id).toBe(b.id);
    expect((await request(url, 'GET', '/api/users/999999', { token: admin })).status).toBe(404);
  });

  it('refuses expired, foreign-key and alg:none tokens with 401 JSON', async () => {
    const user = await cluster.customer();
    const { jwtSecret } = cluster.credentials() as unknown as { jwtSecret: string };
    const expired = await new SignJWT({ role: 'customer' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(String(user.id))
      .setIssuer('ecom')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(jwtSecret));
    const foreign = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(String(user.id))
      .setIssuer('ecom')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('x'.repeat(48)));
    const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: String(user.id), role: 'admin', iss: 'ecom', exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
    const [h, , sig] = user.token.split('.');
    const tampered = `${h}.${b64({ sub: String(user.id), role: 'admin', iss: 'ecom', exp: Math.floor(Date.now() / 1000) + 3600 })}.${sig}`;
    for (const [name, token] of Object.entries({ expired, foreign, none, tampered })) {
      const res = await request(url, 'GET', '/api/users/me', { token });
      expect(res.status, name).toBe(401);
      expect(res.body.error.code, name).toMatch(/token/);
      const write = await request(cluster.url('product'), 'POST', '/api/products', { token, body: { name: 'x', price: 1, stock: 1 } });
      expect(write.status, name).toBe(401);
    }
    expect((await request(url, 'GET', '/api/users/me', { token: user.token })).status).toBe(200);
  });

  it('never lets a password hash reach a log entry or a Redis value', async () => {
    const admin = await cluster.adminToken();
    const logs = await waitFor('logs at the logger', async () => {
      const res = await request(cluster.url('logger'), 'GET', '/api/logs?service=user&limit=1000', { token: admin });
      return res.body.items.length > 0 ? res : undefined;
    });
    expect(logs.text).not.toContain('scrypt$');
    expect(logs.text).not.toContain('correct-horse');
    const redis = new Redis({ port: cluster.redis.port });
    try {
      const keys = await redis.keys('*');
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        if ((await redis.type(key)) !== 'string') continue;
        const value = (await redis.get(key)) ?? '';
        expect(value).not.toContain('scrypt$');
        expect(value).not.toContain('correct-horse');
      }
    } finally {
      redis.disconnect();
    }
  });
});
