import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManagedProcess } from '../../src/cluster/managed-process.js';
import { restartOnCrash } from '../../src/cluster/restart-on-crash.js';
import { processRuntime } from '../../src/runtime/process-runtime.js';
import type { InstanceSpec } from '../../src/runtime/runtime.js';
import { systemSignals } from '../../src/runtime/stop-process-group.js';
import { waitFor } from '../helpers/wait-for.js';

const fixture = (name: string) => resolve(import.meta.dirname, '../fixtures', name);

describe('ManagedProcess with real processes', () => {
  let dir: string;
  const procs: ManagedProcess[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-managed-'));
  });
  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  });
  const managed = (name: string, args: string[], extra: Partial<InstanceSpec> = {}) => {
    const proc = new ManagedProcess(
      { name, service: name, command: process.execPath, args, logFile: join(dir, `${name}.log`), stopTimeoutMs: 300, ...extra },
      { runtime: processRuntime({ pidsDir: join(dir, 'pids') }), policy: restartOnCrash({ initialMs: 50 }) },
    );
    procs.push(proc);
    return proc;
  };

  it('restarts a process that crashed once, with a new pid and a pid file', async () => {
    const proc = managed('crasher', [fixture('crash-once.mjs'), join(dir, 'marker')]);
    proc.start();
    const first = proc.info().pid!;
    await waitFor('a restart', () => proc.restarts === 1 && proc.state === 'running');
    const second = proc.pid!;
    expect(second).not.toBe(first);
    expect(systemSignals.isAlive(second)).toBe(true);
    await waitFor(
      'pid file',
      () => existsSync(join(dir, 'pids', 'crasher.pid')) && Number.parseInt(readFileSync(join(dir, 'pids', 'crasher.pid'), 'utf8'), 10) === second,
    );
    await proc.stop();
    expect(systemSignals.isAlive(second)).toBe(false);
    expect(existsSync(join(dir, 'pids', 'crasher.pid'))).toBe(false);
  });

  it('kills a process that ignores SIGTERM, and its whole process group', async () => {
    const stubborn = managed('stubborn', [fixture('ignore-sigterm.mjs')]);
    stubborn.start();
    const pid = stubborn.pid!;
    await waitFor('ready', () => readFileSync(join(dir, 'stubborn.log'), 'utf8').includes('ready'));
    await stubborn.stop();
    expect(systemSignals.isAlive(pid)).toBe(false);
    expect(stubborn.info().lastExit?.signal).toBe('SIGKILL');

    const parent = managed('parent', [fixture('spawns-child.mjs')]);
    parent.start();
    const grandchild = await waitFor('grandchild pid', () => Number(/grandchild (\d+)/.exec(readFileSync(join(dir, 'parent.log'), 'utf8'))?.[1] ?? 0));
    expect(systemSignals.isAlive(grandchild)).toBe(true);
    await parent.stop();
    await waitFor('grandchild gone', () => !systemSignals.isAlive(grandchild), 3000);
  });
});
