import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { superviseProcess, type Supervised } from '../../src/cluster/supervise-process.js';
import { waitHealthy, waitRegisteredAndRouted, type ReadyContext } from '../../src/cluster/wait-ready.js';
import type { ProxySync, ProxySyncStatus } from '../../src/gateway/sync-proxy.js';
import { createLogger } from '../../src/kit/create-logger.js';
import type { RegistrySnapshot } from '../../src/registry/registry-state.js';
import type { RegistryWatch } from '../../src/registry/watch-registry.js';
import { fakeRuntime } from './fake-runtime.js';

const quiet = createLogger({
  service: 'test',
  instance: 'test',
  level: 'error',
  out: { write: () => true } as unknown as NodeJS.WritableStream,
});
const listing = (index: number, ids: number[]): RegistrySnapshot => ({
  index,
  services: { product: ids.map((id) => ({ id, host: '127.0.0.1', port: 5000 + id, registeredAt: '', lastHeartbeat: '' })) },
});

describe('readiness', () => {
  let dir: string;
  let stopping = false;
  const entries: Supervised[] = [];
  const ctx: ReadyContext = { timings: { startTimeoutMs: 300, readyPollMs: 5, readyFallbackPollMs: 5 }, stopping: () => stopping };
  const start = (probe: () => Promise<boolean>): Supervised => {
    const spec = {
      name: 'product-2',
      service: 'product',
      id: 2,
      port: 5002,
      command: 'x',
      args: [],
      logFile: join(dir, 'product-2.log'),
      stopTimeoutMs: 100,
    };
    const entry = superviseProcess(spec, probe, {
      runtime: fakeRuntime().runtime,
      log: quiet,
      timings: { healthIntervalMs: 60_000, healthFailures: 3 },
    });
    entries.push(entry);
    return entry;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-ready-'));
    stopping = false;
  });
  afterEach(async () => {
    await Promise.all(entries.splice(0).map((e) => e.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('is healthy once the probe answers, and then marked healthy', async () => {
    let probes = 0;
    const entry = start(async () => ++probes >= 3);
    await waitHealthy(entry, ctx);
    expect(probes).toBe(3);
    expect(entry.health.health()).toBe('healthy');
  });

  it('probes a process that says when it serves at once when it says so, and only at the fallback pace before', async () => {
    const fake = fakeRuntime();
    let probes = 0;
    let serving = false;
    const spec = {
      name: 'product-3',
      service: 'product',
      id: 3,
      port: 5003,
      command: 'x',
      args: [],
      logFile: join(dir, 'p3.log'),
      stopTimeoutMs: 100,
      notifiesReady: true,
    };
    const entry = superviseProcess(spec, async () => (probes++, serving), {
      runtime: fake.runtime,
      log: quiet,
      timings: { healthIntervalMs: 60_000, healthFailures: 3 },
    });
    entries.push(entry);
    const slow: ReadyContext = { timings: { startTimeoutMs: 5000, readyPollMs: 5, readyFallbackPollMs: 60_000 }, stopping: () => stopping };
    let healthy = false;
    const waiting = waitHealthy(entry, slow).then(() => (healthy = true));
    await new Promise((r) => setTimeout(r, 100));
    // One look at the start, none since: no polling of a port that refuses connections.
    expect(probes).toBe(1);
    serving = true;
    fake.notify(entry.proc.pid!);
    await waiting;
    expect(healthy).toBe(true);
    expect(probes).toBe(2);
  });

  it('still finds a process that says nothing, at the fallback pace, and one whose first probe after its notice fails', async () => {
    const fake = fakeRuntime();
    let probes = 0;
    const spec = {
      name: 'product-4',
      service: 'product',
      id: 4,
      port: 5004,
      command: 'x',
      args: [],
      logFile: join(dir, 'p4.log'),
      stopTimeoutMs: 100,
      notifiesReady: true,
    };
    const entry = superviseProcess(spec, async () => ++probes >= 3, {
      runtime: fake.runtime,
      log: quiet,
      timings: { healthIntervalMs: 60_000, healthFailures: 3 },
    });
    entries.push(entry);
    await waitHealthy(entry, { timings: { startTimeoutMs: 2000, readyPollMs: 5, readyFallbackPollMs: 20 }, stopping: () => stopping });
    expect(probes).toBe(3);

    let later = 0;
    const noticed = superviseProcess({ ...spec, name: 'product-5', id: 5 }, async () => ++later >= 4, {
      runtime: fake.runtime,
      log: quiet,
      timings: { healthIntervalMs: 60_000, healthFailures: 3 },
    });
    entries.push(noticed);
    fake.notify(noticed.proc.pid!);
    // Heard, then probes at the start-up pace (5 ms), not the fallback's minute.
    await waitHealthy(noticed, { timings: { startTimeoutMs: 2000, readyPollMs: 5, readyFallbackPollMs: 60_000 }, stopping: () => stopping });
    expect(later).toBe(4);
  });

  it('times out naming the process and the end of its log', async () => {
    const entry = start(async () => false);
    writeFileSync(entry.proc.logFile, 'listening\nEADDRINUSE 5002\n');
    await expect(waitHealthy(entry, ctx)).rejects.toThrow(/timed out waiting for product-2 to become healthy; its log ends: listening \| EADDRINUSE 5002/);
  });

  it('gives up at once when the cluster is being stopped', async () => {
    const entry = start(async () => false);
    stopping = true;
    await expect(waitHealthy(entry, ctx)).rejects.toMatchObject({ code: 'cluster_stopping' });
  });

  it('waits for the registry to list the instance, then for nginx to apply a listing at least that new', async () => {
    const entry = start(async () => true);
    let current: RegistrySnapshot | undefined = listing(7, [1]);
    const watch: RegistryWatch = { current: () => current, ready: async () => current, close: () => undefined };
    const status: ProxySyncStatus = { appliedIndex: 7, reloads: 0, renders: 0 };
    let flushes = 0;
    const sync: ProxySync = {
      update: () => undefined,
      flush: async () => void flushes++,
      status: () => ({ ...status }),
      close: async () => undefined,
    };
    let done = false;
    const waiting = waitRegisteredAndRouted(entry, ctx, watch, sync).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(done).toBe(false);
    current = listing(9, [1, 2]);
    await new Promise((r) => setTimeout(r, 30));
    expect(flushes).toBe(1);
    expect(done).toBe(false);
    status.appliedIndex = 9;
    await waiting;
    expect(done).toBe(true);
  });
});
