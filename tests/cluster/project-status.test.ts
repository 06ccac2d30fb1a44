import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectStatus } from '../../src/cluster/project-status.js';
import { restartOnCrash } from '../../src/cluster/restart-on-crash.js';
import { superviseProcess, type Supervised } from '../../src/cluster/supervise-process.js';
import { createLogger } from '../../src/kit/create-logger.js';
import { fakeRuntime } from './fake-runtime.js';

const quiet = createLogger({
  service: 'test',
  instance: 'test',
  level: 'error',
  out: { write: () => true } as unknown as NodeJS.WritableStream,
});

describe('projectStatus', () => {
  let dir: string;
  const entries: Supervised[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-status-'));
  });
  afterEach(async () => {
    await Promise.all(entries.splice(0).map((e) => e.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows running processes with their health, and a crash-looping one as crash-loop with its last log lines', async () => {
    const fake = fakeRuntime();
    const deps = {
      runtime: fake.runtime,
      log: quiet,
      timings: { healthIntervalMs: 60_000, healthFailures: 3 },
      policy: () => restartOnCrash({ firstAtOnce: false, initialMs: 60_000, crashLoopRestarts: 1 }),
    };
    const spec = (name: string, id?: number, port?: number) => ({
      name,
      service: name.split('-')[0]!,
      id,
      port,
      command: 'x',
      args: [],
      logFile: join(dir, `${name}.log`),
      stopTimeoutMs: 100,
    });
    const redis = superviseProcess(spec('redis', undefined, 6390), async () => true, deps);
    const product = superviseProcess(spec('product-2', 2, 5002), async () => true, deps);
    entries.push(redis, product);
    redis.health.markHealthy();
    writeFileSync(product.proc.logFile, 'starting\nError: no such table\n');
    fake.exit(101, 1);
    await new Promise((r) => setTimeout(r, 10));

    const status = projectStatus({ phase: 'running', gateway: 'http://127.0.0.1:8080', stateDir: dir, proxySync: undefined }, entries);
    expect(status).not.toHaveProperty('proxySync');
    expect(status.processes).toEqual([
      { service: 'redis', id: null, pid: 100, port: 6390, health: 'healthy', restarts: 0, uptimeMs: expect.any(Number), state: 'running' },
      {
        service: 'product',
        id: 2,
        pid: null,
        port: 5002,
        health: 'crash-loop',
        restarts: 0,
        uptimeMs: 0,
        state: 'backoff',
        lastExit: { code: 1, signal: null, at: expect.any(String) },
        lastLines: ['starting', 'Error: no such table'],
      },
    ]);
  });
});
