import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stopCluster } from '../../src/cluster/stop-cluster.js';
import { stateLayout } from '../../src/config/state-layout.js';
import { processRuntime } from '../../src/runtime/process-runtime.js';
import type { InstanceHandle } from '../../src/runtime/runtime.js';
import { waitFor } from '../helpers/wait-for.js';

describe('stopCluster without a daemon (what a dead daemon left behind)', () => {
  let dir: string;
  const handles: InstanceHandle[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-down-'));
  });
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.stop(100)));
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops what the pid files name in the reverse start order, then finds nothing the second time', async () => {
    const layout = stateLayout(dir);
    const runtime = processRuntime({ pidsDir: layout.pids });
    const record = join(dir, 'stopped.txt');
    // Each takes 100 ms to stop after its stop signal and notes when it got it; the argument marks it as started by ecom.
    // nginx is asked with SIGQUIT (its graceful stop), everything else with SIGTERM.
    const script = `const note = () => { require('fs').appendFileSync(${JSON.stringify(record)}, process.argv[1] + '\\n'); setTimeout(() => process.exit(0), 100); }; process.on('SIGTERM', note); process.on('SIGQUIT', note); console.log('up'); setInterval(() => {}, 1000)`;
    for (const name of ['redis', 'product-1', 'nginx']) {
      const handle = runtime.start({
        name,
        service: name,
        command: process.execPath,
        args: ['-e', script, `${name}-ecom`],
        logFile: layout.logFile(name),
        stopTimeoutMs: 2000,
      });
      handles.push(handle);
    }
    await waitFor('all up', () => handles.every((h) => existsSync(h.logFile) && readFileSync(h.logFile, 'utf8').includes('up')));
    const progress: string[] = [];
    const stopped = await stopCluster(dir, { timeoutMs: 2000, onProgress: (line) => progress.push(line) });
    expect(stopped.sort()).toEqual(['nginx', 'product-1', 'redis']);
    expect(readFileSync(record, 'utf8').trim().split('\n')).toEqual(['nginx-ecom', 'product-1-ecom', 'redis-ecom']);
    expect(progress).toHaveLength(3);
    expect(readdirSync(layout.pids)).toEqual([]);
    expect(await stopCluster(dir, { timeoutMs: 2000 })).toEqual([]);
  });
});
