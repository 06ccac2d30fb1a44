import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readProcessStart } from '../../src/common/read-process-start.js';
import { stateLayout } from '../../src/config/state-layout.js';
import { isProcessAlive } from '../../src/runtime/is-process-alive.js';
import { clearStaleLock, lockStateDir } from '../../src/runtime/lock-state-dir.js';
import { parsePidFile } from '../../src/runtime/process-identity.js';
import { stopFromPidFiles } from '../../src/runtime/stop-from-pid-files.js';
import { stopProcessGroup } from '../../src/runtime/stop-process-group.js';
import { recordSignals } from '../helpers/record-signals.js';

describe('never signalling a reused pid', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  const { signals, sent } = recordSignals();
  /** A harmless `sleep` whose command line looks like ecom's (argv0 `ecom`), leading its own group unless told. */
  const sleeper = (options: { detached?: boolean } = {}): number => {
    const child = spawn('sleep', ['30'], { argv0: 'ecom', detached: options.detached ?? true, stdio: 'ignore' });
    children.push(child);
    return child.pid!;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-reuse-'));
    sent.length = 0;
  });
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves a live process alone when its pid file records another start time', async () => {
    const pid = sleeper();
    const start = Number(readProcessStart(pid));
    const layout = stateLayout(dir);
    mkdirSync(layout.pids, { recursive: true });
    writeFileSync(join(layout.pids, 'product-1.pid'), `${pid} ${start + 1}\n`);
    writeFileSync(join(layout.pids, 'daemon.pid'), `${pid} ${Math.max(0, start - 1)}\n`);
    // A pid file from before start times were recorded cannot be checked: left alone too.
    writeFileSync(join(layout.pids, 'product-2.pid'), `${pid}\n`);
    const stopped = await stopFromPidFiles(dir, { levels: [['daemon'], ['product']], timeoutMs: 200, signals });
    expect(stopped).toEqual([]);
    expect(sent).toEqual([]);
    expect(isProcessAlive(pid)).toBe(true);
    expect(existsSync(join(layout.pids, 'product-1.pid'))).toBe(false);
  });

  it('stops a process whose pid file records its own start time', async () => {
    const pid = sleeper();
    const layout = stateLayout(dir);
    mkdirSync(layout.pids, { recursive: true });
    writeFileSync(join(layout.pids, 'product-1.pid'), `${pid} ${readProcessStart(pid)}\n`);
    expect(await stopFromPidFiles(dir, { levels: [['product']], timeoutMs: 2000, signals })).toEqual(['product-1']);
    expect(sent).toEqual([[pid, 'SIGTERM']]);
  });

  it('gives up on a pid that leads no group instead of waiting forever', async () => {
    const pid = sleeper({ detached: false });
    const started = Date.now();
    const result = await stopProcessGroup(pid, { signals, timeoutMs: 100, killWaitMs: 300 });
    expect(result).toEqual({ killed: true });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('the up lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds this process’s pid and start time, refuses a live holder, and is released', () => {
    const file = join(dir, 'up.lock');
    const lock = lockStateDir(file);
    expect(parsePidFile(readFileSync(file, 'utf8'))).toEqual({ pid: process.pid, startTime: readProcessStart(process.pid) });
    // Held by another live process (the parent of this test worker): refused.
    writeFileSync(file, `${process.ppid} ${readProcessStart(process.ppid)}\n`);
    expect(() => lockStateDir(file)).toThrow(expect.objectContaining({ code: 'already_running' }));
    lock.release();
    expect(existsSync(file)).toBe(true);
    // ... unless this process was started by that holder (the daemon taking over from its `ecom up`).
    const adopted = lockStateDir(file, { adoptFrom: process.ppid });
    expect(parsePidFile(readFileSync(file, 'utf8'))?.pid).toBe(process.pid);
    adopted.release();
    expect(existsSync(file)).toBe(false);
  });

  it('takes over a stale lock (its holder dead or its pid reused), and down clears one', () => {
    const file = join(dir, 'up.lock');
    writeFileSync(file, `${process.ppid} 1\n`);
    const lock = lockStateDir(file);
    expect(parsePidFile(readFileSync(file, 'utf8'))?.pid).toBe(process.pid);
    lock.release();
    writeFileSync(file, 'garbage');
    clearStaleLock(file);
    expect(existsSync(file)).toBe(false);
  });
});
