import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive as alive } from '../../src/runtime/is-process-alive.js';
import { freePort } from '../helpers/free-port.js';
import { ecom } from '../helpers/run-ecom-cli.js';
import { waitFor } from '../helpers/wait-for.js';
import { writeClusterFile, type TestClusterFile } from '../helpers/write-cluster-file.js';

const accepting = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

interface Status {
  prometheus?: string;
  processes: Array<{ service: string; pid: number; port: number; health: string; restarts: number }>;
}

describe('prometheus.enabled: ecom up supervises a real Prometheus (the built binary)', () => {
  let cluster: TestClusterFile;
  let promPort: number;
  beforeAll(async () => {
    cluster = await writeClusterFile({ product: 2, user: 1, logger: 1, order: 1 });
    promPort = await freePort();
    const file = JSON.parse(readFileSync(cluster.file, 'utf8')) as Record<string, unknown>;
    writeFileSync(cluster.file, JSON.stringify({ ...file, prometheus: { enabled: true, port: promPort } }));
  });
  afterAll(async () => {
    await ecom('down', '-c', cluster.file).catch(() => undefined);
    rmSync(cluster.dir, { recursive: true, force: true });
  });

  it('starts it, shows its URL, scrapes every instance with the rules loaded, restarts it when killed, and stops it on down', async () => {
    const url = `http://127.0.0.1:${promPort}`;
    const up = await ecom('up', '-d', '-c', cluster.file);
    expect(up.stdout).toContain(`prometheus ${url}`);
    const status = async (): Promise<Status> => JSON.parse((await ecom('status', '--json', '-c', cluster.file)).stdout) as Status;
    const first = await status();
    expect(first.prometheus).toBe(url);
    const prom = first.processes.find((p) => p.service === 'prometheus');
    expect(prom).toMatchObject({ port: promPort, health: 'healthy', restarts: 0 });
    expect((await ecom('status', '-c', cluster.file)).stdout).toContain(`— prometheus ${url}`);

    // Every instance the registry lists is scraped and up, and the registry itself.
    const upInstances = async (): Promise<string[]> => {
      const body = (await (await fetch(`${url}/api/v1/targets?state=active`)).json()) as {
        data: { activeTargets: Array<{ labels: Record<string, string>; health: string }> };
      };
      return body.data.activeTargets
        .filter((t) => t.health === 'up')
        .map((t) => t.labels.instance!)
        .sort();
    };
    const want = ['iscs', 'logger-1', 'order-5', 'product-3', 'product-4', 'prometheus', 'user-2'];
    await waitFor('every instance up in Prometheus', async () => JSON.stringify(await upInstances()) === JSON.stringify(want), 60_000, 200);

    // The recording rules are loaded and evaluate: the health checks alone make requests on every service.
    const rules = (await (await fetch(`${url}/api/v1/rules`)).json()) as { data: { groups: Array<{ name: string; rules: Array<{ health: string }> }> } };
    expect(rules.data.groups.map((g) => g.name).sort()).toEqual(['ecom-instances', 'ecom-services']);
    expect(rules.data.groups.flatMap((g) => g.rules).every((r) => r.health !== 'err')).toBe(true);
    const services = await waitFor(
      'service:ecom_http_requests:rate for every kind',
      async () => {
        const body = (await (await fetch(`${url}/api/v1/query?query=service:ecom_http_requests:rate`)).json()) as {
          data: { result: Array<{ metric: { service: string } }> };
        };
        const kinds = body.data.result.map((r) => r.metric.service).sort();
        return kinds.length === 4 ? kinds : undefined;
      },
      60_000,
      250,
    );
    expect(services).toEqual(['logger', 'order', 'product', 'user']);

    // Every query of the Grafana dashboard is PromQL this Prometheus accepts, and finds data.
    const dashboard = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../templates/grafana/ecom-dashboard.json'), 'utf8')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    for (const { title, targets } of dashboard.panels) {
      for (const { expr } of targets) {
        const query = encodeURIComponent(expr.replaceAll('$service', '.+'));
        const answer = await waitFor(
          `data for ${title}`,
          async () => {
            const body = (await (await fetch(`${url}/api/v1/query?query=${query}`)).json()) as { status: string; data: { result: unknown[] } };
            expect(body.status, expr).toBe('success');
            return body.data.result.length > 0 ? body : undefined;
          },
          30_000,
          250,
        );
        expect(answer.status).toBe('success');
      }
    }

    // `ecom overload --html` adds the server side of the run's window from this Prometheus: CPU and event-loop lag per instance.
    await ecom('seed', '--products', '20', '--users', '0', '-c', cluster.file);
    const html = join(cluster.dir, 'report.html');
    await ecom('overload', '--request_count', '400', '--concurrency', '4', '--scenario', 'product', '--html', html, '-c', cluster.file);
    const data = JSON.parse(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(readFileSync(html, 'utf8'))![1]!) as {
      serverSeries: Array<{ title: string; series: Array<{ label: string; values: Array<number | null> }> }>;
    };
    const cpu = data.serverSeries.find((g) => g.title.startsWith('CPU per instance'));
    expect(data.serverSeries.map((g) => g.title)).toEqual(['CPU per instance (Prometheus)', 'Event-loop lag p99 per instance (Prometheus)']);
    const products = cpu!.series.filter((s) => s.label.startsWith('product-'));
    expect(products).toHaveLength(2);
    expect(products.some((s) => s.values.some((v) => v !== null && v > 0))).toBe(true);

    // A crash is restarted like any other process.
    process.kill(prom!.pid, 'SIGKILL');
    const again = await waitFor(
      'prometheus restarted and healthy',
      async () => (await status()).processes.find((p) => p.service === 'prometheus' && p.restarts === 1 && p.health === 'healthy'),
      60_000,
      200,
    );
    expect(again.pid).not.toBe(prom!.pid);

    await ecom('down', '-c', cluster.file);
    expect(alive(again.pid)).toBe(false);
    expect(await accepting(promPort)).toBe(false);
  }, 240_000);
});
