import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManagedProcess, type ProcessSpec, type SpawnedChild } from '../../src/cluster/managed-process.js';
import { restartOnCrash } from '../../src/cluster/restart-on-crash.js';
import { restartOnHealthFailure } from '../../src/cluster/restart-on-health-failure.js';
import type { ProcessSignals } from '../../src/runtime/stop-process-group.js';
import { teardownInReverse } from '../../src/cluster/teardown-in-reverse.js';

const spec: ProcessSpec = { name: 'fake-1', service: 'fake', id: 1, port: 1, command: 'x', args: [], logFile: '/dev/null', stopTimeoutMs: 1000 };

/** Fake processes: each spawn gets a pid and an exit the test triggers by hand. */
function fakeSystem(options: { ignoreTerm?: boolean } = {}) {
  const exits = new Map<number, (e: { code: number | null; signal: NodeJS.Signals | null }) => void>();
  const alive = new Set<number>();
  const signals: Array<[number, string]> = [];
  let nextPid = 100;
  const spawn = (): SpawnedChild => {
    const pid = nextPid++;
    alive.add(pid);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => exits.set(pid, resolve));
    return { pid, exited };
  };
  const exit = (pid: number, code: number | null, signal: NodeJS.Signals | null = null) => {
    alive.delete(pid);
    exits.get(pid)?.({ code, signal });
  };
  const sys: ProcessSignals = {
    killGroup(pid, signal) {
      signals.push([pid, signal]);
      if (signal === 'SIGKILL' || !options.ignoreTerm) exit(pid, null, signal);
    },
    isAlive: (pid) => alive.has(pid),
  };
  return { spawn, exit, signals, sys };
}

describe('restartOnCrash', () => {
  it('doubles the delay up to the cap, starts over after a stable run, and flags a crash loop', () => {
    const policy = restartOnCrash({ initialMs: 100, maxMs: 1000, factor: 2, stableAfterMs: 10_000, crashLoopRestarts: 5, crashLoopWindowMs: 60_000 });
    const delays = Array.from({ length: 6 }, (_, i) => policy.next({ uptimeMs: 50, at: i * 100 }));
    expect(delays.map((d) => d.delayMs)).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(delays.map((d) => d.crashLoop)).toEqual([false, false, false, false, true, true]);
    const afterStable = policy.next({ uptimeMs: 20_000, at: 200_000 });
    expect(afterStable).toEqual({ delayMs: 100, crashLoop: false });
  });
});

describe('ManagedProcess', () => {
  afterEach(() => vi.useRealTimers());

  it('restarts after an unexpected exit with the policy delay, as a new pid', async () => {
    vi.useFakeTimers();
    const fake = fakeSystem();
    const proc = new ManagedProcess(spec, { spawn: fake.spawn, signals: fake.sys, policy: restartOnCrash({ initialMs: 500 }) });
    proc.start();
    expect(proc.pid).toBe(100);
    fake.exit(100, 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(proc.state).toBe('backoff');
    expect(proc.info().lastExit?.code).toBe(1);
    await vi.advanceTimersByTimeAsync(499);
    expect(proc.state).toBe('backoff');
    await vi.advanceTimersByTimeAsync(1);
    expect(proc.state).toBe('running');
    expect(proc.pid).toBe(101);
    expect(proc.restarts).toBe(1);
  });

  it('never restarts after stop(), which signals the whole group', async () => {
    const fake = fakeSystem();
    const proc = new ManagedProcess(spec, { spawn: fake.spawn, signals: fake.sys, policy: restartOnCrash() });
    proc.start();
    await proc.stop();
    expect(fake.signals).toEqual([[100, 'SIGTERM']]);
    expect(proc.state).toBe('stopped');
    await new Promise((r) => setTimeout(r, 150));
    expect(proc.state).toBe('stopped');
    await proc.stop();
    expect(fake.signals).toHaveLength(1);
  });

  it('sends SIGKILL to the group when the stop signal is ignored past the timeout', async () => {
    const fake = fakeSystem({ ignoreTerm: true });
    const proc = new ManagedProcess({ ...spec, stopTimeoutMs: 100, stopSignal: 'SIGQUIT' }, { spawn: fake.spawn, signals: fake.sys, policy: restartOnCrash() });
    proc.start();
    await proc.stop();
    expect(fake.signals).toEqual([
      [100, 'SIGQUIT'],
      [100, 'SIGKILL'],
    ]);
  });

  it('restart() stops, starts a new pid and counts it', async () => {
    const fake = fakeSystem();
    const proc = new ManagedProcess(spec, { spawn: fake.spawn, signals: fake.sys, policy: restartOnCrash() });
    proc.start();
    await proc.restart();
    expect(proc.pid).toBe(101);
    expect(proc.restarts).toBe(1);
    expect(proc.state).toBe('running');
  });
});

describe('restartOnHealthFailure', () => {
  afterEach(() => vi.useRealTimers());

  it('restarts after K failures in a row only, resets on success, pauses while not running', async () => {
    vi.useFakeTimers();
    const results: boolean[] = [];
    let running = true;
    const restart = vi.fn(async () => undefined);
    const watch = restartOnHealthFailure({ probe: async () => results.shift() ?? true, isRunning: () => running, restart, intervalMs: 100, failuresBeforeRestart: 3 });
    results.push(true, false, false, true, false, false);
    await vi.advanceTimersByTimeAsync(100);
    expect(watch.health()).toBe('healthy');
    await vi.advanceTimersByTimeAsync(500);
    expect(restart).not.toHaveBeenCalled();
    expect(watch.health()).toBe('unhealthy');
    results.push(false, false, false);
    await vi.advanceTimersByTimeAsync(300);
    expect(restart).toHaveBeenCalledTimes(1);
    running = false;
    results.push(false, false, false, false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(restart).toHaveBeenCalledTimes(1);
    expect(watch.health()).toBe('starting');
    watch.stop();
  });
});

describe('teardownInReverse', () => {
  it('stops groups last-first, each only after the later one is down', async () => {
    const log: string[] = [];
    const member = (name: string, ms: number) => ({
      stop: async () => {
        log.push(`stop ${name}`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`down ${name}`);
      },
    });
    await teardownInReverse([[member('redis', 1)], [member('logger', 1)], [member('product-1', 20), member('product-2', 5)], [member('nginx', 1)]]);
    expect(log).toEqual(['stop nginx', 'down nginx', 'stop product-1', 'stop product-2', 'down product-2', 'down product-1', 'stop logger', 'down logger', 'stop redis', 'down redis']);
  });
});
