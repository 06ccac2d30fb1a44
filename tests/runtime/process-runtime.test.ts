import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readProcessStart } from '../../src/common/read-process-start.js';
import { processRuntime } from '../../src/runtime/process-runtime.js';
import type { InstanceHandle, InstanceSpec } from '../../src/runtime/runtime.js';
import { systemSignals } from '../../src/runtime/stop-process-group.js';
import { waitFor } from '../helpers/wait-for.js';
import { recordSignals } from '../helpers/record-signals.js';

const fixture = (name: string) => resolve(import.meta.dirname, '../fixtures', name);

describe('the process runtime', () => {
  let dir: string;
  const handles: InstanceHandle[] = [];
  const { signals, sent } = recordSignals();
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-runtime-'));
    sent.length = 0;
  });
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.stop(100)));
    rmSync(dir, { recursive: true, force: true });
  });
  const start = (name: string, args: string[], extra: Partial<InstanceSpec> = {}): InstanceHandle => {
    const runtime = processRuntime({ pidsDir: join(dir, 'pids'), signals });
    const handle = runtime.start({
      name,
      service: name,
      command: process.execPath,
      args,
      logFile: join(dir, 'logs', `${name}.log`),
      stopTimeoutMs: 2000,
      ...extra,
    });
    handles.push(handle);
    return handle;
  };

  it('runs an instance with its log, address and pid file, and removes the pid file when it exits', async () => {
    const handle = start('hello', ['-e', "console.log('hello from the child'); setTimeout(() => process.exit(3), 300)"], {
      port: 5999,
      host: '127.0.0.9',
    });
    expect(handle).toMatchObject({ name: 'hello', logFile: join(dir, 'logs', 'hello.log'), address: { host: '127.0.0.9', port: 5999 } });
    expect(readFileSync(join(dir, 'pids', 'hello.pid'), 'utf8')).toBe(`${handle.pid} ${readProcessStart(handle.pid!)}\n`);
    expect(await handle.exited).toEqual({ code: 3, signal: null });
    expect(readFileSync(handle.logFile, 'utf8')).toContain('hello from the child');
    expect(existsSync(join(dir, 'pids', 'hello.pid'))).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)('gives the instance the spec’s CPU weight as its nice value (and its session’s)', async () => {
    const handle = start('weighted', ['-e', 'setInterval(() => {}, 1000)'], { cpuWeight: 305 });
    expect(handle.warning).toBeUndefined();
    expect(getPriority(handle.pid!)).toBe(-5);
    if (existsSync(`/proc/${handle.pid}/autogroup`)) expect(readFileSync(`/proc/${handle.pid}/autogroup`, 'utf8')).toMatch(/ nice -5$/m);
    const plain = start('plain', ['-e', 'setInterval(() => {}, 1000)']);
    expect(getPriority(plain.pid!)).toBe(getPriority(process.pid));
  });

  it('stops with the spec’s signal, then SIGKILLs the whole group past the timeout; stop() is idempotent', async () => {
    const calm = start('calm', ['-e', 'setInterval(() => {}, 1000)'], { stopSignal: 'SIGQUIT' });
    await calm.stop();
    expect(await calm.exited).toEqual({ code: null, signal: 'SIGQUIT' });
    expect(sent).toEqual([[calm.pid, 'SIGQUIT']]);

    sent.length = 0;
    const stubborn = start('stubborn', [fixture('ignore-sigterm.mjs')]);
    await waitFor('ready', () => existsSync(stubborn.logFile) && readFileSync(stubborn.logFile, 'utf8').includes('ready'));
    const first = stubborn.stop(200);
    expect(stubborn.stop(200)).toBe(first);
    await first;
    expect(sent).toEqual([
      [stubborn.pid, 'SIGTERM'],
      [stubborn.pid, 'SIGKILL'],
    ]);
    expect((await stubborn.exited).signal).toBe('SIGKILL');
    expect(systemSignals.isAlive(stubborn.pid!)).toBe(false);
  });

  it('hears a process that notifies readiness (fd 3, as ecom service start does) and nothing from one that does not', async () => {
    // The child runs the real notifyReady of the build (`npm run build` first), after a pause.
    const notify = resolve(import.meta.dirname, '../../dist/cli/notify-ready.js');
    const script = `setTimeout(() => import(${JSON.stringify(notify)}).then((m) => { console.log('fd', process.env.ECOM_READY_FD); m.notifyReady(); }), 200); setTimeout(() => {}, 5000);`;
    const startedAt = Date.now();
    const notifying = start('notifying', ['-e', script], { notifiesReady: true });
    await notifying.ready;
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(150);
    await waitFor('the child to log its fd', () => readFileSync(notifying.logFile, 'utf8').includes('fd 3') || undefined);

    const silent = start('silent', ['-e', 'setTimeout(() => process.exit(0), 100)'], { notifiesReady: true });
    const plain = start('plain', ['-e', '0']);
    expect(plain.ready).toBeUndefined();
    let heard = false;
    void silent.ready!.then(() => (heard = true));
    await silent.exited;
    await new Promise((r) => setTimeout(r, 50));
    expect(heard).toBe(false);
  });

  it('reports a binary that does not exist as an exit with code 127', async () => {
    const runtime = processRuntime();
    const handle = runtime.start({
      name: 'missing',
      service: 'missing',
      command: join(dir, 'no-such-binary'),
      args: [],
      logFile: join(dir, 'missing.log'),
      stopTimeoutMs: 100,
    });
    expect(await handle.exited).toEqual({ code: 127, signal: null });
    await handle.stop();
  });
});
