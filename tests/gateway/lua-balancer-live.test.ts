import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { upstreamsOf } from '../../src/chaos/check-cluster.js';
import type { ClusterConfig } from '../../src/config/cluster-schema.js';
import { ensureCredentials } from '../../src/config/ensure-credentials.js';
import { loadClusterFile } from '../../src/config/load-cluster-file.js';
import { stateLayout } from '../../src/config/state-layout.js';
import { routedUpstreamsText } from '../../src/gateway/build-peer-table.js';
import { readGatewayStats, type GatewayStats } from '../../src/gateway/call-gateway-admin.js';
import type { RegistrySnapshot } from '../../src/registry/registry-state.js';
import { freePorts } from '../helpers/free-port.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';
import { waitFor } from '../helpers/wait-for.js';
import { at, serveTestGateway, type TestGateway } from './serve-test-gateway.js';
import { workersOf } from '../helpers/read-nginx-workers.js';

const portOf = (t: HttpTarget): number => Number(new URL(t.origin).port);
const product = (...targets: HttpTarget[]): RegistrySnapshot['services'] => ({ product: targets.map((t, i) => at(i + 1, portOf(t))) });

describe('the Lua balancer in a real nginx', () => {
  const dirs: string[] = [];
  let cluster: ClusterConfig;
  let gateway: TestGateway | undefined;
  const targets: HttpTarget[] = [];

  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
    await Promise.all(targets.splice(0).map((t) => t.close()));
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A gateway in Lua mode on `services`, with `workers` nginx workers and the given balancing. */
  const serve = async (services: RegistrySnapshot['services'], gw: object = {}, extra: object = {}): Promise<TestGateway> => {
    const dir = mkdtempSync(join(tmpdir(), 'ecom-lua-'));
    dirs.push(dir);
    const [port] = await freePorts(1);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ stateDir: 'state', gateway: { port, endpoints: 'lua', ...gw }, ...extra }));
    cluster = loadClusterFile(join(dir, 'config.json'), {});
    gateway = await serveTestGateway(cluster, { index: 1, services });
    return gateway;
  };
  /** A target answering as `product-<id>` after `delayMs`. */
  const target = async (delayMs = 0): Promise<HttpTarget> => {
    const t = await startHttpTarget((_req, res) => setTimeout(() => res.end('{}'), delayMs));
    targets.push(t);
    return t;
  };
  /** `n` GETs through the gateway, `concurrency` at a time; their statuses. */
  const load = async (n: number, concurrency = 1, headers: Record<string, string> = { authorization: 'Bearer x' }): Promise<number[]> => {
    const statuses: number[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next++ < n) {
        const res = await fetch(`http://127.0.0.1:${cluster.gateway.port}/api/products/1`, { headers });
        await res.arrayBuffer();
        statuses.push(res.status);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return statuses;
  };
  const token = (): string => ensureCredentials(cluster.stateDir).clusterToken;
  const stats = (): Promise<GatewayStats> => readGatewayStats(gateway!.sync.status().adminPort!, token());

  it('sends traffic to a new peer and none to a removed one, with the same nginx workers and no reload', async () => {
    const [a, b, c] = [await target(), await target(), await target()];
    await serve(product(a, b), { workers: 2 });
    const workers = await waitFor('two workers', () => {
      const pids = workersOf(gateway!.nginx.pid!);
      return pids.length === 2 ? pids : undefined;
    });
    expect(await load(20)).toEqual(Array(20).fill(200));
    expect([a.seen(), b.seen()].every((n) => n > 0)).toBe(true);

    gateway!.sync.update({ index: 2, services: { product: [at(2, portOf(b)), at(3, portOf(c))] } });
    await gateway!.sync.flush();
    a.reset();
    expect(await load(30, 3)).toEqual(Array(30).fill(200));
    expect(a.seen()).toBe(0);
    expect(c.seen()).toBeGreaterThan(0);
    expect(workersOf(gateway!.nginx.pid!)).toEqual(workers);
    expect(gateway!.sync.status()).toMatchObject({ mode: 'lua', reloads: 0, appliedIndex: 2 });
    const figures = await stats();
    expect(figures).toMatchObject({ index: 2, reloads: 0, balance: 'ewma' });
    expect(figures.peers.map((p) => p.id)).toEqual([2, 3]);
    expect(readFileSync(join(cluster.stateDir, 'nginx', 'nginx.conf'), 'utf8')).not.toContain(`:${portOf(a)}`);
    // What `ecom chaos` compares with the registry afterwards.
    expect(upstreamsOf(routedUpstreamsText(stateLayout(cluster.stateDir).nginx))).toEqual([
      `product-2 127.0.0.1:${portOf(b)}`,
      `product-3 127.0.0.1:${portOf(c)}`,
    ]);
  });

  it('keeps known peers for one TTL after the registry restarted empty', async () => {
    const [a, b] = [await target(), await target()];
    await serve(product(a, b), {}, { iscs: { ttlMs: 300, heartbeatMs: 100 } });
    gateway!.sync.update({ index: 5, services: product(a, b) });
    await gateway!.sync.flush();
    gateway!.sync.update({ index: 1, services: product(a) });
    await gateway!.sync.flush();
    expect((await stats()).peers.map((p) => p.id)).toEqual([1, 2]);
    await waitFor('the warm-up to end', async () => (await stats()).peers.length === 1, 3000);
    expect((await stats()).peers.map((p) => p.address)).toEqual([`127.0.0.1:${portOf(a)}`]);
  });

  it('keeps keep-alive connections to its peers', async () => {
    const a = await target();
    await serve(product(a));
    await load(40);
    expect(a.seen()).toBe(40);
    expect(a.connections()).toBeLessThanOrEqual(2);
  });

  it('answers its admin calls only with the cluster token and only on 127.0.0.1', async () => {
    const a = await target();
    await serve(product(a));
    const admin = `http://127.0.0.1:${gateway!.sync.status().adminPort}`;
    expect((await fetch(`${admin}/stats`)).status).toBe(401);
    expect((await fetch(`${admin}/stats`, { headers: { authorization: `Bearer ${token()}x` } })).status).toBe(401);
    const empty = JSON.stringify({ index: 9, services: { product: [] } });
    expect((await fetch(`${admin}/peers`, { method: 'PUT', body: empty, headers: { authorization: 'Bearer nope-nope-nope-nope' } })).status).toBe(401);
    expect((await stats()).peers).toHaveLength(1);
    const bad = JSON.stringify({ index: 9, services: { product: [{ id: 1, host: 'a b', port: 1 }] } });
    expect((await fetch(`${admin}/peers`, { method: 'PUT', body: bad, headers: { authorization: `Bearer ${token()}` } })).status).toBe(400);
    expect((await fetch(`${admin}/peers`, { method: 'PUT', body: '{"services":', headers: { authorization: `Bearer ${token()}` } })).status).toBe(400);
    expect((await stats()).peers).toHaveLength(1);
    await expect(fetch(`http://127.0.0.2:${gateway!.sync.status().adminPort}/stats`)).rejects.toThrow();
    for (const path of ['/stats', '/peers']) expect((await fetch(`http://127.0.0.1:${cluster.gateway.port}${path}`)).status).toBe(404);
    expect((await fetch(`${admin}/peers`, { method: 'PUT', body: empty, headers: { authorization: `Bearer ${token()}` } })).status).toBe(200);
    const res = await fetch(`http://127.0.0.1:${cluster.gateway.port}/api/products/1`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('no_instances');
  });

  it('least_conn keeps a slow peer to about one request at a time', async () => {
    const [slow, fast] = [await target(300), await target()];
    await serve(product(slow, fast), { balance: 'least_conn' });
    await load(200, 4);
    // round_robin would give it half; least_conn gives it one (at times two) of the four at once.
    expect(slow.seen() * 3).toBeLessThan(fast.seen());
  });

  it('ewma sends sequential requests to the faster peer; least_conn splits them', async () => {
    const [slow, fast] = [await target(150), await target()];
    await serve(product(slow, fast), { balance: 'ewma' });
    await load(40);
    // One answer of 150 ms is enough to avoid it; a busy host may make the fast one look slow for a moment.
    expect(slow.seen()).toBeLessThanOrEqual(6);
    expect((await stats()).peers.find((p) => p.id === 1)!.ewmaMs).toBeGreaterThan(50);
    await gateway!.close();
    gateway = undefined;
    slow.reset();
    await serve(product(slow, fast), { balance: 'least_conn' });
    await load(40);
    expect(slow.seen()).toBeGreaterThanOrEqual(10);
  });

  it('ejects a failing peer for a while, retries GETs on the other one, and shows it', async () => {
    const dying = await target();
    dying.server.removeAllListeners('request');
    dying.server.on('request', (req) => req.socket.destroy());
    const healthy = await target();
    await serve(product(dying, healthy), { balance: 'round_robin' });
    expect(await load(20)).toEqual(Array(20).fill(200));
    const peer = (await stats()).peers.find((p) => p.id === 1)!;
    expect(peer.failures).toBeGreaterThan(0);
    expect(peer.ejected).toBe(true);
    expect(peer.requests).toBeLessThanOrEqual(2);
  });

  it('does not eject an address listed again for a request that began before (it met the instance that had it)', async () => {
    // `replaced` holds its requests until the test drops them: the instance killed while they were in flight.
    const held: Array<() => void> = [];
    const replaced = await target();
    replaced.server.removeAllListeners('request');
    replaced.server.on('request', (req) => held.push(() => req.socket.destroy()));
    const other = await target();
    await serve(product(replaced, other), { balance: 'round_robin' });
    const inFlight = load(6, 6);
    await waitFor('requests held by the dying instance', () => (held.length >= 2 ? true : undefined));
    // Its address leaves the table, then comes back (its replacement registered), and only then do its requests fail.
    gateway!.sync.update({ index: 2, services: { product: [at(2, portOf(other))] } });
    await gateway!.sync.flush();
    gateway!.sync.update({ index: 3, services: product(replaced, other) });
    await gateway!.sync.flush();
    for (const drop of held.splice(0)) drop();
    expect(await inFlight).toEqual(Array(6).fill(200));
    const again = (await stats()).peers.find((p) => p.id === 1)!;
    expect(again).toMatchObject({ failures: 0, ejected: false });

    // A request that begins after the listing and fails there still ejects the address.
    replaced.server.removeAllListeners('request');
    replaced.server.on('request', (req) => req.socket.destroy());
    expect(await load(4)).toEqual(Array(4).fill(200));
    const failing = (await stats()).peers.find((p) => p.id === 1)!;
    expect(failing.failures).toBeGreaterThan(0);
    expect(failing.ejected).toBe(true);
  });

  it('moves a GET answered 503 to a peer it has not tried yet, each one once', async () => {
    const busy = async (): Promise<HttpTarget> => {
      const t = await startHttpTarget((_req, res) => {
        res.statusCode = 503;
        res.end('{}');
      });
      targets.push(t);
      return t;
    };
    const all = [await busy(), await busy(), await busy()];
    // ip_hash picks the same peer for every first attempt: only the tried set sends the retries elsewhere.
    await serve(product(...all), { balance: 'ip_hash' });
    expect(await load(5)).toEqual(Array(5).fill(503));
    expect(all.map((t) => t.seen())).toEqual([5, 5, 5]);
    const peers = (await stats()).peers;
    expect(peers.map((p) => [p.requests, p.inFlight, p.failures, p.ejected])).toEqual(Array(3).fill([5, 0, 0, false]));
  });

  it("adds up every worker's figures within a second of its requests", async () => {
    const [a, b] = [await target(), await target()];
    await serve(product(a, b), { workers: 2 });
    await waitFor('two workers', () => workersOf(gateway!.nginx.pid!).length === 2);
    expect(await load(60, 6)).toEqual(Array(60).fill(200));
    // Each worker keeps its figures and adds them to the shared dict every second; the one answering /stats first.
    const sum = async (): Promise<number> => (await stats()).peers.reduce((n, p) => n + p.requests, 0);
    await waitFor('all 60 requests counted', async () => (await sum()) === 60, 3000);
    const peers = (await stats()).peers;
    expect(peers.map((p) => p.inFlight)).toEqual([0, 0]);
    expect(peers.every((p) => typeof p.ewmaMs === 'number')).toBe(true);
    expect(a.seen() + b.seen()).toBe(60);
  });

  it('counts requests still in flight when nginx reloads back down once they end', async () => {
    const a = await target(400);
    await serve(product(a));
    const pending = load(4, 4);
    await waitFor('four requests at the peer', () => a.seen() === 4);
    // The old worker's timed flush runs as it begins to shut down, before these four end.
    process.kill(gateway!.nginx.pid!, 'SIGHUP');
    expect(await pending).toEqual(Array(4).fill(200));
    const settled = await waitFor(
      'the reload and nothing in flight',
      async () => {
        const s = await stats();
        return s.reloads === 1 && s.peers[0]!.inFlight === 0 ? s : undefined;
      },
      3000,
    );
    expect(settled.peers[0]!.requests).toBe(4);
  });

  it('counts attempts that ended in an error page (502) back down too', async () => {
    const dying = await target();
    dying.server.removeAllListeners('request');
    dying.server.on('request', (req) => req.socket.destroy());
    await serve(product(dying));
    expect(await load(3)).toEqual([502, 502, 502]);
    const [peer] = (await stats()).peers;
    expect(peer).toMatchObject({ inFlight: 0, requests: 3, failures: 3 });
  });

  it('counts every request in flight back down, microcache refreshes included', async () => {
    const a = await target(5);
    await serve(product(a), { cache: { enabled: true, ttl: '1s' } });
    const deadline = Date.now() + 1600;
    while (Date.now() < deadline) await load(10, 2, {});
    await waitFor('nothing in flight', async () => (await stats()).peers.every((p) => p.inFlight === 0), 2000);
    expect(a.seen()).toBeGreaterThanOrEqual(2);
  });
});
