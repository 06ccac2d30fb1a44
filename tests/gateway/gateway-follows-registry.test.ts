import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/api-client.js';
import { ecom, ECOM_BIN } from '../helpers/run-ecom-cli.js';
import { startGetLoop } from '../helpers/start-get-loop.js';
import { startProcess, type TestProcess } from '../helpers/start-process.js';
import { startTestCluster, type TestCluster } from '../helpers/start-test-cluster.js';
import { waitFor } from '../helpers/wait-for.js';

describe('the gateway follows live registrations', () => {
  let cluster: TestCluster;
  let registry: TestProcess;
  let gateway: TestProcess;
  let gw: string;
  let iscsUrl: string;
  let productId: number;

  const startRegistry = async (): Promise<TestProcess> => {
    const proc = startProcess(process.execPath, [ECOM_BIN, 'iscs', '-c', cluster.configPath]);
    await waitFor('registry', async () => (await fetch(`${iscsUrl}/health`)).status === 200);
    return proc;
  };
  const listed = async (kind: string): Promise<number[]> => {
    const res = await fetch(`${iscsUrl}/v1/services`);
    const body = (await res.json()) as { services: Record<string, Array<{ id: number }>> };
    return (body.services[kind] ?? []).map((i) => i.id);
  };
  const render = async (): Promise<string> => (await ecom('nginx', 'render', '-c', cluster.configPath)).stdout;
  /** Whether nginx routes to a port: in the peer table pushed to it (Lua mode), or in the rendered config. */
  const routes = async (port: number): Promise<boolean> => {
    const peers = join(cluster.stateDir, 'nginx', 'peers.json');
    return existsSync(peers) ? readFileSync(peers, 'utf8').includes(`"port":${port}}`) : (await render()).includes(`:${port} `);
  };
  /** GETs one product through nginx (bypassing the microcache) until `stop()`, with the loop's one allowed retry. */
  const hammer = () => startGetLoop(`${gw}/api/products/${productId}`, { headers: { authorization: 'Bearer x' } });

  beforeAll(async () => {
    cluster = await startTestCluster({ logger: 1, user: 1, product: 4 }, { startAll: false });
    const cfg = JSON.parse(readFileSync(cluster.configPath, 'utf8'));
    cfg.iscs = { ...cfg.iscs, heartbeatMs: 300, ttlMs: 1200 };
    writeFileSync(cluster.configPath, JSON.stringify(cfg));
    iscsUrl = `http://127.0.0.1:${cfg.iscs.port}`;
    gw = `http://127.0.0.1:${cfg.gateway.port}`;
    registry = await startRegistry();
    await cluster.start('logger', 0);
    await cluster.start('user', 0);
    await cluster.start('product', 0);
    await cluster.start('product', 1);
    gateway = startProcess(process.execPath, [ECOM_BIN, 'nginx', 'start', '-c', cluster.configPath]);
    await waitFor('gateway', async () => (await fetch(`${gw}/api/products`).catch(() => undefined))?.status === 200);
    const admin = await cluster.adminToken();
    productId = (await request(gw, 'POST', '/api/products', { token: admin, body: { name: 'Routed', price: 10, stock: 10 } })).body.product.id;
  });
  afterAll(async () => {
    await gateway?.stop();
    await cluster?.close();
    await registry?.stop();
    rmSync(cluster?.dir ?? '/nonexistent', { recursive: true, force: true });
  });

  it('routes to both instances, then to a third one as soon as it registers', async () => {
    const load = hammer();
    await waitFor('both instances to serve', () => load.seen.has('product-3') && load.seen.has('product-4'));
    const third = await cluster.start('product', 2);
    await waitFor('the third instance to serve', () => load.seen.has(`product-${third.id}`));
    expect(await routes(third.port)).toBe(true);
    const { failures, reasons } = await load.stop();
    expect(reasons).toEqual([]);
    expect(failures).toBe(0);
  });

  it('drops a SIGTERMed instance from the config with zero failed GETs', async () => {
    const victim = cluster.instances.find((i) => i.kind === 'product' && i.id === 5)!;
    const load = hammer();
    await waitFor('traffic', () => load.seen.size >= 3);
    expect(await victim.proc.stop()).toBe(0);
    await waitFor('the gateway without it', async () => !(await routes(victim.port)));
    await new Promise((r) => setTimeout(r, 300));
    const { failures, total, reasons } = await load.stop();
    expect(total).toBeGreaterThan(20);
    expect(reasons).toEqual([]);
    expect(failures).toBe(0);
    expect(await listed('product')).not.toContain(5);
  });

  it('evicts a SIGKILLed instance within the TTL with zero failed GETs', async () => {
    const victim = cluster.instances.find((i) => i.kind === 'product' && i.id === 4)!;
    const load = hammer();
    await waitFor('traffic', () => load.seen.size >= 2);
    await victim.proc.kill('SIGKILL');
    await waitFor('eviction', async () => !(await listed('product')).includes(4), 5000);
    await waitFor('the gateway without it', async () => !(await routes(victim.port)));
    const { failures, reasons } = await load.stop();
    expect(reasons).toEqual([]);
    expect(failures).toBe(0);
    await cluster.start('product', 1);
  });

  it('lists every live instance again within two heartbeats after the registry restarts', async () => {
    const before = await waitFor('two product instances listed', async () => {
      const ids = (await listed('product')).sort();
      return ids.length >= 2 ? ids : undefined;
    });
    const load = hammer();
    await registry.kill('SIGKILL');
    rmSync(join(cluster.stateDir, 'iscs', 'registry.json'), { force: true });
    expect((await request(gw, 'GET', `/api/products/${productId}`, { headers: { authorization: 'Bearer x' } })).status).toBe(200);
    registry = await startRegistry();
    // Two heartbeats are 600 ms here; the rest is slack for a loaded machine.
    await waitFor(
      'all instances back',
      async () => JSON.stringify((await listed('product')).sort()) === JSON.stringify(before) && (await listed('user')).length === 1,
      600 + 1400,
    );
    // The gateway kept routing while the registry filled up again (no instance was dropped from nginx).
    await new Promise((r) => setTimeout(r, 1800));
    const { failures, reasons } = await load.stop();
    expect(reasons).toEqual([]);
    expect(failures).toBe(0);
    const unauth = await fetch(`${iscsUrl}/v1/instances/product/77`, {
      method: 'PUT',
      body: JSON.stringify({ host: 'h', port: 1 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(unauth.status).toBe(401);
    const product = cluster.instances.find((i) => i.kind === 'product')!;
    const outages = product.proc
      .output()
      .split('\n')
      .filter((l) => l.includes('registry unreachable')).length;
    expect(outages).toBeLessThanOrEqual(1);
  });

  it('answers as a gateway: microcache, hidden internals, JSON errors, empty services', async () => {
    const first = await fetch(`${gw}/api/products/${productId}`);
    const second = await fetch(`${gw}/api/products/${productId}`);
    expect([first.headers.get('x-cache-status'), second.headers.get('x-cache-status')]).toContain('HIT');
    expect((await fetch(`${gw}/api/products/${productId}`, { headers: { authorization: 'Bearer x' } })).headers.get('x-cache-status')).toBe('BYPASS');
    for (const path of ['/health', '/metrics', '/internal/users/1', '/api/products/../../internal/users/1']) {
      const res = await request(gw, 'GET', path);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code, path).toBe('route_not_found');
    }
    const orders = await request(gw, 'GET', '/api/orders');
    expect(orders.status).toBe(503);
    expect(orders.body.error.code).toBe('no_instances');
    const big = await request(gw, 'POST', '/api/users/register', { raw: JSON.stringify({ name: 'x'.repeat(200_000) }) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    const logins = await Promise.all(
      Array.from({ length: 120 }, () => request(gw, 'POST', '/api/users/login', { body: { email: 'nobody@example.com', password: 'nope-nope' } })),
    );
    const limited = logins.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.body.error.code).toBe('rate_limited');
  });
});
