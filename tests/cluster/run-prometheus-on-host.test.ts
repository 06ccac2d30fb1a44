import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runPrometheusOnHost } from '../../src/cluster/run-prometheus-on-host.js';
import { isProcessAlive } from '../../src/runtime/is-process-alive.js';
import type { InstanceSpec } from '../../src/runtime/runtime.js';
import { fakeRuntime } from './fake-runtime.js';

describe('Prometheus runs on the host whatever runtime runs the cluster', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts a prometheus spec as a local process (pid file included) and hands everything else to the runtime', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-prom-host-'));
    const fake = fakeRuntime();
    let closed = 0;
    const containers = Object.assign(fake.runtime, { listenHost: '0.0.0.0', close: async () => void closed++ });
    const runtime = runPrometheusOnHost(containers, join(dir, 'pids'));
    const spec = (name: string, service: string): InstanceSpec => ({
      name,
      service,
      command: process.execPath,
      args: ['-e', 'setTimeout(() => {}, 60000)'],
      logFile: join(dir, `${name}.log`),
      stopTimeoutMs: 2000,
    });

    const prometheus = runtime.start(spec('prometheus', 'prometheus'));
    const product = runtime.start(spec('product-1', 'product'));
    expect(fake.started.map((s) => s.name)).toEqual(['product-1']);
    expect(product.pid).toBe(100);
    expect(prometheus.pid).toBeGreaterThan(0);
    expect(isProcessAlive(prometheus.pid!)).toBe(true);
    expect(existsSync(join(dir, 'pids', 'prometheus.pid'))).toBe(true);

    expect(runtime.listenHost).toBe('0.0.0.0');
    await runtime.close();
    expect(closed).toBe(1);

    await Promise.all([prometheus.stop(), product.stop()]);
    expect(isProcessAlive(prometheus.pid!)).toBe(false);
  });
});
