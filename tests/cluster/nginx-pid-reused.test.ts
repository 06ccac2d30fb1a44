import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stateLayout } from '../../src/config/state-layout.js';
import { reloadNginx, runningNginxPid } from '../../src/gateway/control-nginx.js';
import { isProcessAlive } from '../../src/runtime/is-process-alive.js';

describe('reloading nginx by its pid file', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-nginx-pid-'));
    mkdirSync(stateLayout(dir).nginx.prefix);
  });
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  /** A harmless idle process whose command line names nginx and this prefix (as a reused pid might); SIGHUP ends it. */
  const lookalike = (paths: { prefix: string }): number => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', paths.prefix], { argv0: 'nginx', stdio: 'ignore' });
    children.push(child);
    return child.pid!;
  };

  it('never signals a process that started after nginx wrote its pid file (a reused pid)', async () => {
    const paths = stateLayout(dir).nginx;
    const pid = lookalike(paths);
    writeFileSync(paths.pidFile, `${pid}\n`);
    const past = new Date(Date.now() - 60_000);
    utimesSync(paths.pidFile, past, past);
    expect(runningNginxPid(paths)).toBeUndefined();
    expect(reloadNginx(paths)).toBe(false);
    await sleep(100);
    expect(isProcessAlive(pid)).toBe(true);
  });

  it('never signals a process that is not this prefix’s nginx', async () => {
    const paths = stateLayout(dir).nginx;
    const child = spawn('sleep', ['30'], { argv0: 'nginx', stdio: 'ignore' });
    children.push(child);
    await sleep(50);
    writeFileSync(paths.pidFile, `${child.pid}\n`);
    expect(reloadNginx(paths)).toBe(false);
    await sleep(100);
    expect(isProcessAlive(child.pid!)).toBe(true);
  });

  it('finds a process that started before its pid file was written and names nginx and the prefix', async () => {
    const paths = stateLayout(dir).nginx;
    const pid = lookalike(paths);
    await sleep(50);
    writeFileSync(paths.pidFile, `${pid}\n`);
    expect(runningNginxPid(paths)).toBe(pid);
  });
});
