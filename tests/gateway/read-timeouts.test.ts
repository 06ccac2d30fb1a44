import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../../src/config/cluster-schema.js';
import { loadClusterFile } from '../../src/config/load-cluster-file.js';
import { freePorts } from '../helpers/free-port.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';
import { at, ENDPOINT_MODES, serveTestGateway, type TestGateway } from './serve-test-gateway.js';

const portOf = (t: HttpTarget): number => Number(new URL(t.origin).port);

describe.each(ENDPOINT_MODES)('the gateway (%s) gives up on a hung instance quickly for GET and HEAD, and keeps waiting for writes', (endpoints) => {
  let dir: string;
  let cluster: ClusterConfig;
  let hung: HttpTarget;
  let healthy: HttpTarget;
  let slow: HttpTarget;
  let nginx: TestGateway | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-read-timeout-'));
    const [gateway] = await freePorts(1);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ stateDir: 'state', gateway: { port: gateway, balance: 'round_robin', endpoints } }));
    cluster = loadClusterFile(join(dir, 'config.json'), {});
    // A product instance whose kernel accepts connections but which never answers (a SIGSTOPped process), a healthy
    // one, and an order instance that takes 4 s for every answer.
    hung = await startHttpTarget(() => undefined);
    healthy = await startHttpTarget((_req, res) => res.end('{"items":[]}'));
    slow = await startHttpTarget((req, res) => {
      req.resume();
      setTimeout(() => {
        res.statusCode = req.method === 'POST' ? 201 : 200;
        res.end('{}');
      }, 4000);
    });
    const services = { product: [at(1, portOf(hung)), at(2, portOf(healthy))], order: [at(3, portOf(slow))], logger: [at(4, portOf(healthy))] };
    nginx = await serveTestGateway(cluster, { index: 1, services });
  });
  afterEach(async () => {
    await nginx?.close();
    nginx = undefined;
    await Promise.all([hung.close(), healthy.close(), slow.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const timed = async (path: string, init: RequestInit = {}): Promise<{ status: number; ms: number }> => {
    const started = Date.now();
    const res = await fetch(`http://127.0.0.1:${cluster.gateway.port}${path}`, { ...init, headers: { authorization: 'Bearer x', ...init.headers } });
    await res.arrayBuffer();
    return { status: res.status, ms: Date.now() - started };
  };

  it('a GET or HEAD caught on the hung instance is answered by the other one within a few seconds', async () => {
    const answers = [];
    for (let i = 0; i < 4 && hung.seen() < 2; i++) answers.push(await timed('/api/products', { method: i % 2 ? 'HEAD' : 'GET' }));
    expect(hung.seen()).toBeGreaterThan(0); // the failover path was taken, not only the healthy instance
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(6000);
  });

  it('a GET to an instance slower than the read timeout is a 504; a POST to it is waited for', async () => {
    const get = await timed('/api/orders/1');
    expect(get.status).toBe(504);
    expect(get.ms).toBeLessThan(4000);
    const post = await timed('/api/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"items":[]}' });
    expect(post).toMatchObject({ status: 201 });
    expect(post.ms).toBeGreaterThanOrEqual(3900);
  });

  it('a write keeps the body limit of its route through the write location', async () => {
    const batch = JSON.stringify({ entries: [{ message: 'x'.repeat(200 * 1024) }] });
    expect((await timed('/api/logs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: batch })).status).toBe(200);
    expect((await timed('/api/orders', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: batch })).status).toBe(413);
  });
});
