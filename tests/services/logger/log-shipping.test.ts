import { describe, expect, it } from 'vitest';
import { request } from '../../helpers/api-client.js';
import { useTestCluster } from '../../helpers/use-test-cluster.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('logs shipped to the logger service', () => {
  const cluster = useTestCluster({ logger: 1, user: 1, product: 1 });

  it('makes the entries of product queryable with filters, for the admin and the cluster token only', async () => {
    const admin = await cluster.adminToken();
    const logger = cluster.url('logger');
    const items = await waitFor('product logs at the logger', async () => {
      const res = await request(logger, 'GET', '/api/logs?service=product', { token: admin });
      return res.body.items.some((e: { msg: string }) => e.msg === 'listening') ? res.body.items : undefined;
    });
    expect(items.every((e: { service: string }) => e.service === 'product')).toBe(true);
    expect(items.find((e: { msg: string }) => e.msg === 'listening')).toMatchObject({
      instance: expect.stringMatching(/^product-/),
      level: 'info',
    });
    const { clusterToken } = cluster.credentials();
    expect((await request(logger, 'GET', '/api/logs?limit=1', { token: clusterToken })).body.items).toHaveLength(1);
    expect((await request(logger, 'GET', '/api/logs?level=error', { token: admin })).body.items.every((e: { level: string }) => e.level === 'error')).toBe(
      true,
    );
    expect(
      (await request(logger, 'GET', `/api/logs?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, { token: admin })).body.items,
    ).toEqual([]);
    expect((await request(logger, 'GET', '/api/logs?since=10m&service=product', { token: admin })).body.items.length).toBeGreaterThan(0);
    const customer = await cluster.customer();
    expect((await request(logger, 'GET', '/api/logs', { token: customer.token })).status).toBe(403);
    expect((await request(logger, 'GET', '/api/logs')).status).toBe(401);
    expect(
      (
        await request(logger, 'POST', '/api/logs', {
          body: [{ ts: new Date().toISOString(), service: 'x', instance: 'x-1', level: 'info', msg: 'hi' }],
        })
      ).status,
    ).toBe(401);
    expect((await request(logger, 'POST', '/api/logs', { token: clusterToken, body: [{ level: 'loud' }] })).status).toBe(400);
    const posted = await request(logger, 'POST', '/api/logs', {
      token: clusterToken,
      body: [{ ts: new Date().toISOString(), service: 'probe', instance: 'probe-1', level: 'warn', msg: 'hello from the test', extra: 42 }],
    });
    expect(posted.status).toBe(202);
    const probe = await request(logger, 'GET', '/api/logs?service=probe', { token: admin });
    expect(probe.body.items).toEqual([expect.objectContaining({ msg: 'hello from the test', level: 'warn', extra: 42 })]);
  });

  it('keeps serving when the logger is gone, writing unshipped entries to stderr', async () => {
    const logger = cluster.instances.find((i) => i.kind === 'logger')!;
    await logger.proc.stop();
    const user = cluster.instances.find((i) => i.kind === 'user')!;
    const email = `while-logger-down-${Date.now()}@example.com`;
    const res = await request(user.url, 'POST', '/api/users/register', { body: { email, password: 'password123', name: 'Down' } });
    expect(res.status).toBe(201);
    await waitFor('the fallback line on stderr', () => user.proc.output().includes('"msg":"user registered"'));
    expect((await request(user.url, 'GET', '/health')).status).toBe(200);
  });
});
