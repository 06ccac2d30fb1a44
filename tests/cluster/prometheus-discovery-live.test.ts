import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { queryClusterServerSeries, queryRangeByInstance } from '../../src/cluster/query-prometheus.js';
import { startPrometheus } from '../../src/cluster/start-prometheus.js';
import { ensureCredentials } from '../../src/config/ensure-credentials.js';
import { loadClusterFile } from '../../src/config/load-cluster-file.js';
import { createLogger } from '../../src/kit/create-logger.js';
import { createMetrics } from '../../src/kit/create-metrics.js';
import { startIscsServer } from '../../src/registry/start-iscs-server.js';
import { freePorts } from '../helpers/free-port.js';
import { useClosing } from '../helpers/use-closing.js';
import { waitFor } from '../helpers/wait-for.js';

const quiet = createLogger({ service: 'test', instance: 'test', level: 'error', out: { write: () => true } as unknown as NodeJS.WritableStream });

/** A tiny instance: `/metrics` from the same prom-client set-up the services use (process and event-loop metrics included). */
async function startMetricsServer(service: string, id: number): Promise<{ port: number; close(): Promise<void> }> {
  const metrics = createMetrics({ service, instance_id: String(id) });
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    void metrics.registry.metrics().then((text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

interface Target {
  labels: Record<string, string>;
  health: 'up' | 'down' | 'unknown';
  scrapePool: string;
}

describe('Prometheus follows the registry', () => {
  const use = useClosing();
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes a newly registered instance, drops a removed one, and the query client reads its CPU and event-loop lag', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecom-prom-live-'));
    dirs.push(dir);
    const [iscsPort, promPort] = (await freePorts(2)) as [number, number];
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ stateDir: 'state', iscs: { port: iscsPort }, prometheus: { enabled: true, port: promPort, scrapeInterval: '1s' } }));
    const cluster = loadClusterFile(file, {});
    const credentials = ensureCredentials(cluster.stateDir);
    use(await startIscsServer({ host: '127.0.0.1', port: iscsPort, ttlMs: 60_000, credentials, log: quiet }));
    const prometheus = use(await startPrometheus(cluster));
    const [one, two] = [use(await startMetricsServer('product', 1)), use(await startMetricsServer('order', 2))];

    const registry = `http://127.0.0.1:${iscsPort}/v1/instances`;
    const auth = { authorization: `Bearer ${credentials.clusterToken}`, 'content-type': 'application/json' };
    const register = (service: string, id: number, port: number) =>
      fetch(`${registry}/${service}/${id}`, { method: 'PUT', headers: auth, body: JSON.stringify({ host: '127.0.0.1', port }) });
    const targets = async (): Promise<Target[]> => {
      const answer = (await (await fetch(`${prometheus.url}/api/v1/targets?state=active`)).json()) as { data: { activeTargets: Target[] } };
      return answer.data.activeTargets.filter((t) => t.scrapePool === 'ecom');
    };
    const upAs = async (instance: string): Promise<boolean> => (await targets()).some((t) => t.labels.instance === instance && t.health === 'up');

    // Prometheus reached the registry with the token file: the discovery answered (an empty list) and nothing is scraped yet.
    expect(await targets()).toEqual([]);

    let t0 = Date.now();
    expect((await register('product', 1, one.port)).status).toBe(200);
    await waitFor('product-1 up in Prometheus', () => upAs('product-1'), 60_000, 100);
    const addedMs = Date.now() - t0;

    t0 = Date.now();
    expect((await register('order', 2, two.port)).status).toBe(200);
    await waitFor('order-2 up in Prometheus', () => upAs('order-2'), 60_000, 100);
    const secondMs = Date.now() - t0;
    const product = (await targets()).find((t) => t.labels.instance === 'product-1');
    expect(product?.labels).toMatchObject({ service: 'product', instance_id: '1', job: 'ecom' });

    t0 = Date.now();
    expect((await fetch(`${registry}/product/1`, { method: 'DELETE', headers: auth })).status).toBe(204);
    await waitFor('product-1 dropped by Prometheus', async () => !(await targets()).some((t) => t.labels.instance === 'product-1'), 60_000, 100);
    const removedMs = Date.now() - t0;
    expect((await targets()).map((t) => t.labels.instance)).toEqual(['order-2']);

    // The server side of the window, per instance, through the query client.
    const series = await waitFor(
      'CPU and event-loop lag series for order-2',
      async () => {
        const s = await queryClusterServerSeries(cluster, { fromMs: Date.now() - 60_000, toMs: Date.now() });
        const ok = (list: Array<{ instance: string; points: Array<[number, number]> }>) => list.some((x) => x.instance === 'order-2' && x.points.length > 0);
        return s && ok(s.cpu) && ok(s.eventLoopLagMs) ? s : undefined;
      },
      60_000,
      250,
    );
    const cpu = series.cpu.find((s) => s.instance === 'order-2')!;
    expect(cpu.points.every(([t, v]) => Number.isInteger(t) && t > Date.now() - 120_000 && v >= 0)).toBe(true);
    expect(series.eventLoopLagMs.find((s) => s.instance === 'order-2')!.points.every(([, v]) => v >= 0)).toBe(true);

    const window = { fromMs: Date.now() - 10_000, toMs: Date.now() };
    await expect(queryRangeByInstance(prometheus.url, 'rate(up[', window)).rejects.toMatchObject({ code: 'prometheus_unavailable', message: /refused/ });

    console.log(`prometheus discovery: registration → up ${addedMs} ms, second instance → up ${secondMs} ms, removal → dropped ${removedMs} ms`);
  }, 240_000);
});
