import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../../../src/config/cluster-schema.js';
import { createLogger } from '../../../src/kit/create-logger.js';
import type { RegisteredInstance } from '../../../src/registry/registry-state.js';
import { watchRegistry } from '../../../src/registry/watch-registry.js';
import { callPeers } from '../../../src/services/shared/call-peers.js';
import { resolvePeersFromConfig, resolvePeersFromRegistry } from '../../../src/services/shared/resolve-peers.js';
import { freePort } from '../../helpers/free-port.js';
import { ECOM_BIN } from '../../helpers/run-ecom-cli.js';
import { startProcess } from '../../helpers/start-process.js';
import { useServiceProcess } from '../../helpers/use-service-process.js';
import { startRedis } from '../../helpers/start-redis.js';
import { waitFor } from '../../helpers/wait-for.js';

/** A plain HTTP server that records what reaches it; 127.0.0.2 stands in for a host that is not the cluster's. */
interface Recorder {
  host: string;
  port: number;
  seen: Array<{ method: string; url: string; authorization: string | undefined }>;
  server: Server;
}

const servers: Server[] = [];
const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function record(
  host: string,
  answer: (req: IncomingMessage) => { status: number; body: unknown } = () => ({ status: 200, body: { ok: true } }),
): Promise<Recorder> {
  const seen: Recorder['seen'] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    req.resume();
    req.on('end', () => {
      const { status, body } = answer(req);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  servers.push(server);
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  return { host, port: typeof address === 'object' && address ? address.port : 0, seen, server };
}

/** A registry that accepts every registration and heartbeat and lists what the test says, unauthenticated as ours is. */
function fakeRegistry(listing: Record<string, Array<Pick<RegisteredInstance, 'id' | 'host' | 'port'>>>): Promise<Recorder> {
  const now = new Date().toISOString();
  const services = Object.fromEntries(Object.entries(listing).map(([k, list]) => [k, list.map((i) => ({ ...i, registeredAt: now, lastHeartbeat: now }))]));
  return record('127.0.0.1', (req) =>
    req.method === 'GET' && req.url?.startsWith('/v1/services')
      ? { status: 200, body: { index: 1, services } }
      : req.method === 'DELETE'
        ? { status: 204, body: '' }
        : { status: 200, body: { ok: true } },
  );
}

const TOKEN = 'cluster-token-that-must-stay-home';

describe('peers listed by the registry on a host the cluster does not use', () => {
  it('are never called (nor sent the cluster token); the cluster host is, and each stranger is logged once', async () => {
    const stranger = await record('127.0.0.2');
    const ours = await record('127.0.0.1');
    const registry = await fakeRegistry({
      product: [
        { id: 1, host: '127.0.0.2', port: stranger.port },
        { id: 2, host: '127.0.0.1', port: ours.port },
      ],
      logger: [{ id: 3, host: '127.0.0.2', port: stranger.port }],
    });
    const lines: string[] = [];
    const log = createLogger({
      service: 'test',
      instance: 'test-1',
      level: 'info',
      out: { write: (l: string) => lines.push(l) } as unknown as NodeJS.WritableStream,
    });
    const cluster = { host: '127.0.0.1', services: { product: { instances: [] }, logger: { instances: [] } } } as unknown as ClusterConfig;
    const watch = watchRegistry({ registryUrl: `http://127.0.0.1:${registry.port}`, log, waitMs: 200 });
    const resolver = resolvePeersFromRegistry(watch, resolvePeersFromConfig(cluster), { cluster, log });
    cleanups.push(() => resolver.close());
    expect(await watch.ready(5000)).toBeDefined();
    const peers = callPeers({ resolver, clusterToken: TOKEN, timeoutMs: 1000 });

    for (let i = 0; i < 6; i++) expect((await peers.call('product', { method: 'GET', path: '/api/products/1', idempotent: true })).status).toBe(200);
    await expect(peers.call('logger', { method: 'POST', path: '/api/logs', body: [], idempotent: true })).rejects.toMatchObject({ status: 503 });

    expect(stranger.seen).toEqual([]);
    expect(ours.seen).toHaveLength(6);
    expect(ours.seen.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(resolver.list('product').map((p) => p.id)).toEqual([2]);
    const warnings = lines.filter((l) => l.includes('ignoring a listed peer'));
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toContain('"host":"127.0.0.2"');
  });
});

describe('a service process under a fake registry listing a foreign logger', () => {
  const run = useServiceProcess();

  it('ships no log batch (and no token) to it, and talks to a redis-server that has no password without a warning', async () => {
    const stranger = await record('127.0.0.2', () => ({ status: 202, body: { accepted: 1 } }));
    const registry = await fakeRegistry({ logger: [{ id: 9, host: '127.0.0.2', port: stranger.port }] });
    const redis = (run.redis = await startRedis());
    const dir = (run.dir = mkdtempSync(join(tmpdir(), 'ecom-peers-')));
    const port = await freePort();
    const configPath = join(dir, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        stateDir: 'state',
        redis: { port: redis.port },
        iscs: { port: registry.port },
        logs: { flushMs: 50 },
        services: { logger: { instances: [] } },
      }),
    );
    const p = (run.proc = startProcess(process.execPath, [ECOM_BIN, 'service', 'start', 'product', '--id', '1', '--port', String(port), '-c', configPath]));
    await waitFor('product-1 healthy with redis up', async () => {
      if (p.child.exitCode !== null) throw new Error(`product-1 exited: ${p.output()}`);
      const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
      return res?.status === 200 && ((await res.json()) as { redis: string }).redis === 'up';
    });
    await waitFor('the foreign logger ignored or called', () => p.output().includes('ignoring a listed peer') || stranger.seen.length > 0);
    expect(registry.seen.some((r) => r.method === 'PUT')).toBe(true);
    await new Promise((r) => setTimeout(r, 500)); // ten flush periods: a batch would have gone out by now
    expect(stranger.seen).toEqual([]);
    expect(p.output()).toContain('ignoring a listed peer');
    expect(p.output()).not.toMatch(/password was supplied|does not require a password/);
  });
});
