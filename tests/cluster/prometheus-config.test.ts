import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clusterSlotAllocator } from '../../src/cluster/allocate-slots.js';
import { checkPreflight, clusterPorts } from '../../src/cluster/check-preflight.js';
import { coreStep } from '../../src/cluster/core-step.js';
import { queryClusterServerSeries } from '../../src/cluster/query-prometheus.js';
import { startPlan, stopPlan } from '../../src/cluster/start-plan.js';
import { renderPrometheusConfig, writePrometheusConfig } from '../../src/cluster/write-prometheus-config.js';
import { ensureCredentials } from '../../src/config/ensure-credentials.js';
import { loadClusterFile } from '../../src/config/load-cluster-file.js';
import { stateLayout } from '../../src/config/state-layout.js';
import { freePort } from '../helpers/free-port.js';

/** promtool's verdict on a file: its exit status and what it printed. */
function promtool(...args: string[]): { ok: boolean; output: string } {
  try {
    return { ok: true, output: execFileSync('promtool', args, { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe("Prometheus' files and process", () => {
  let dir: string;
  const load = (prometheus: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ stateDir: 'state', iscs: { port: 25100 }, prometheus, ...extra }));
    return loadClusterFile(file, {});
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-prom-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is off by default and then neither planned, nor given a port', () => {
    const cluster = load({});
    expect(cluster.prometheus).toEqual({ enabled: false, port: 9190, scrapeInterval: '1s', retention: '2h' });
    expect(startPlan(cluster).flat()).not.toContain('prometheus');
    expect(clusterPorts(cluster).map((p) => p.owner)).not.toContain('prometheus');
    // A disabled Prometheus may share a port with anything.
    expect(() => load({ port: 25100 })).not.toThrow();
  });

  it('when enabled starts beside nginx, stops with it, and claims its port', () => {
    const cluster = load({ enabled: true, port: 25190 });
    expect(startPlan(cluster).at(-1)).toEqual(['nginx', 'prometheus']);
    expect(stopPlan(startPlan(cluster))[0]).toEqual(['nginx', 'prometheus']);
    expect(clusterPorts(cluster)).toContainEqual({ port: 25190, owner: 'prometheus' });
    expect(() => load({ enabled: true, port: 25100 })).toThrow(/prometheus\.port: port 25100 is also used by iscs\.port/);
    expect(() => load({ enabled: true, scrapeInterval: '0s' })).toThrow(/prometheus\.scrapeInterval: expected a duration above zero/);
    expect(() => load({ enabled: true, extra: 1 })).toThrow(/prometheus/);
  });

  it('never hands its port to a scaled instance, even while Prometheus is down', async () => {
    const cluster = load({ enabled: true, port: 26002 }, { services: { product: { instances: [{ id: 1, port: 26001 }] } } });
    const slot = await clusterSlotAllocator(cluster, () => []).allocate();
    slot.release();
    expect(slot.port).toBeGreaterThan(26002);
  });

  it('has ecom up and ecom doctor look for the prometheus binary only when enabled', async () => {
    const names = async (enabled: boolean) => (await checkPreflight(load({ enabled, port: 25190 }), { ports: false })).map((c) => c.name);
    expect(await names(false)).not.toContain('prometheus');
    const found = (await checkPreflight(load({ enabled: true, port: 25190 }), { ports: false })).find((c) => c.name === 'prometheus');
    expect(found?.ok).toBe(true);
    expect(found?.detail).toMatch(/\/prometheus$/);
    const path = process.env.PATH;
    process.env.PATH = dir;
    try {
      const missing = (await checkPreflight(load({ enabled: true, port: 25190 }), { ports: false })).find((c) => c.name === 'prometheus');
      expect(missing).toMatchObject({ ok: false, detail: 'not found on PATH' });
      expect(missing?.fix).toContain('apt-get install -y prometheus');
    } finally {
      process.env.PATH = path;
    }
  });

  it('writes a config and rules that promtool accepts, and the token file owner-only', () => {
    const cluster = load({ enabled: true, port: 25190, scrapeInterval: '2s', retention: '90m' });
    const paths = writePrometheusConfig(cluster);
    expect(paths.dir).toBe(join(cluster.stateDir, 'prometheus'));
    expect(readFileSync(paths.sdToken, 'utf8')).toBe(ensureCredentials(cluster.stateDir).clusterToken);
    expect(statSync(paths.sdToken).mode & 0o777).toBe(0o600);
    const config = readFileSync(paths.config, 'utf8');
    expect(config).toContain('url: "http://127.0.0.1:25100/v1/prometheus/targets"');
    expect(config).toContain('refresh_interval: "2s"');
    expect(config).not.toContain(ensureCredentials(cluster.stateDir).clusterToken);
    // `check config` also checks the rule files it names and that the credentials file exists.
    const checked = promtool('check', 'config', paths.config);
    expect(checked.output).toMatch(/SUCCESS: 11 rules found/);
    expect(checked.ok).toBe(true);
    const rules = promtool('check', 'rules', paths.rules);
    expect(rules.ok).toBe(true);
    // Four scrape intervals of 2s are below the 15s floor.
    expect(readFileSync(paths.rules, 'utf8')).toContain('[15s]');
    expect(readFileSync(paths.rules, 'utf8')).not.toContain('{{');
  });

  it('promtool refuses a config that is broken, so the check above can fail', () => {
    const cluster = load({ enabled: true, port: 25190 });
    const paths = writePrometheusConfig(cluster);
    writeFileSync(paths.config, renderPrometheusConfig(cluster, paths).replace('refresh_interval: "1s"', 'refresh_interval: "soon"'));
    expect(promtool('check', 'config', paths.config).ok).toBe(false);
    writeFileSync(paths.rules, readFileSync(paths.rules, 'utf8').replace('sum by (service)', 'sum by (service'));
    expect(promtool('check', 'rules', paths.rules).ok).toBe(false);
  });

  it('has the query client answer undefined when Prometheus is off, and prometheus_unavailable when it does not answer', async () => {
    const window = { fromMs: Date.now() - 60_000, toMs: Date.now() };
    expect(await queryClusterServerSeries(load({ port: await freePort() }), window)).toBeUndefined();
    await expect(queryClusterServerSeries(load({ enabled: true, port: await freePort() }), window)).rejects.toMatchObject({ code: 'prometheus_unavailable' });
  });

  it('runs prometheus on 127.0.0.1:<port> with its own data dir, short retention, no lifecycle or admin API', () => {
    const cluster = load({ enabled: true, port: 25190, retention: '90m' });
    const { spec, line } = coreStep(cluster, 'prometheus');
    expect(line).toBe('starting prometheus on :25190');
    expect(spec).toMatchObject({ name: 'prometheus', service: 'prometheus', port: 25190, command: 'prometheus' });
    expect(spec.args).toEqual([
      `--config.file=${stateLayout(cluster.stateDir).prometheus.config}`,
      `--storage.tsdb.path=${join(cluster.stateDir, 'prometheus', 'data')}`,
      '--storage.tsdb.retention.time=5400s',
      '--web.listen-address=127.0.0.1:25190',
    ]);
    expect(spec.args.join(' ')).not.toMatch(/enable-lifecycle|enable-admin-api/);
    expect(spec.logFile).toBe(join(cluster.stateDir, 'logs', 'prometheus.log'));
  });
});
