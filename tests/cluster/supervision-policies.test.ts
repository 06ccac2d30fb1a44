import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManagedProcess } from '../../src/cluster/managed-process.js';
import { restartOnCrash } from '../../src/cluster/restart-on-crash.js';
import { restartOnHealthFailure } from '../../src/cluster/restart-on-health-failure.js';
import { superviseProcess } from '../../src/cluster/supervise-process.js';
import { createLogger } from '../../src/kit/create-logger.js';
import type { InstanceSpec } from '../../src/runtime/runtime.js';
import { fakeRuntime } from './fake-runtime.js';

const spec: InstanceSpec = {
  name: 'fake-1',
  service: 'fake',
  id: 1,
  port: 1,
  command: 'x',
  args: [],
  logFile: '/dev/null',
  stopTimeoutMs: 1000,
};

/** A logger that writes nothing (the supervision tests read the calls they record, not log lines). */
const quietLog = () => createLogger({ service: 'test', instance: 'test', level: 'error', out: { write: () => true } as unknown as NodeJS.WritableStream });

describe('restartOnCrash', () => {
  it('doubles the delay up to the cap, starts over after a stable run, and flags a crash loop', () => {
    const policy = restartOnCrash({
      firstAtOnce: false,
      initialMs: 100,
      maxMs: 1000,
      factor: 2,
      stableAfterMs: 10_000,
      crashLoopRestarts: 5,
      crashLoopWindowMs: 60_000,
    });
    const delays = Array.from({ length: 6 }, (_, i) => policy.next({ uptimeMs: 50, at: i * 100 }));
    expect(delays.map((d) => d.delayMs)).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(delays.map((d) => d.crashLoop)).toEqual([false, false, false, false, true, true]);
    const afterStable = policy.next({ uptimeMs: 20_000, at: 200_000 });
    expect(afterStable).toEqual({ delayMs: 100, crashLoop: false });
  });

  it('by default restarts a process that was not crashing at once, then backs off', () => {
    const policy = restartOnCrash({ initialMs: 100, maxMs: 1000, stableAfterMs: 10_000 });
    const delays = Array.from({ length: 4 }, (_, i) => policy.next({ uptimeMs: 50, at: i * 100 }).delayMs);
    expect(delays).toEqual([0, 100, 200, 400]);
    expect(policy.next({ uptimeMs: 20_000, at: 200_000 }).delayMs).toBe(0);
    expect(policy.next({ uptimeMs: 50, at: 200_100 }).delayMs).toBe(100);
  });
});

describe('ManagedProcess', () => {
  afterEach(() => vi.useRealTimers());

  it('restarts after an unexpected exit with the policy delay, as a new pid', async () => {
    vi.useFakeTimers();
    const fake = fakeRuntime();
    const proc = new ManagedProcess(spec, { runtime: fake.runtime, policy: restartOnCrash({ firstAtOnce: false, initialMs: 500 }) });
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

  it('runs beforeRestart after an unexpected exit and starts the replacement only once it is done, delay or not', async () => {
    vi.useFakeTimers();
    const fake = fakeRuntime();
    let release: () => void = () => undefined;
    const cleared: string[] = [];
    const beforeRestart = (): Promise<void> =>
      new Promise((resolve) => {
        cleared.push(`after exit, ${fake.started.length} started`);
        release = resolve;
      });
    const proc = new ManagedProcess(spec, { runtime: fake.runtime, policy: restartOnCrash({ firstAtOnce: true }), beforeRestart });
    proc.start();
    fake.exit(100, 137);
    await vi.advanceTimersByTimeAsync(1000);
    expect(cleared).toEqual(['after exit, 1 started']);
    expect(proc.state, 'no replacement while the dead instance is still being taken out').toBe('backoff');
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(proc.state).toBe('running');
    expect(proc.pid).toBe(101);
    await proc.stop();
    expect(cleared, 'an expected exit (stop) takes nothing out').toHaveLength(1);
  });

  it('never restarts after stop(), which asks the runtime once, with the grace period', async () => {
    const fake = fakeRuntime();
    const proc = new ManagedProcess(spec, { runtime: fake.runtime, policy: restartOnCrash() });
    proc.start();
    await proc.stop();
    expect(fake.stops).toEqual([[100, 1000]]);
    expect(proc.state).toBe('stopped');
    await new Promise((r) => setTimeout(r, 150));
    expect(proc.state).toBe('stopped');
    await proc.stop();
    expect(fake.stops).toHaveLength(1);
  });

  it('counts an exit during stop() as expected, and reports its pid only while it runs', async () => {
    const fake = fakeRuntime();
    const proc = new ManagedProcess(spec, { runtime: fake.runtime, policy: restartOnCrash() });
    const exits: boolean[] = [];
    proc.on('exit', (e) => exits.push(e.expected));
    proc.start();
    expect(proc.info()).toMatchObject({ pid: 100, state: 'running', port: 1, id: 1 });
    await proc.stop();
    expect(exits).toEqual([true]);
    expect(proc.info()).toMatchObject({ pid: undefined, state: 'stopped', uptimeMs: 0 });
    expect(proc.info().lastExit?.signal).toBe('SIGTERM');
  });

  it('restart({graceMs: 0}) asks the runtime for an immediate kill and runs beforeStart between the exit and the start', async () => {
    const fake = fakeRuntime();
    const proc = new ManagedProcess(spec, { runtime: fake.runtime, policy: restartOnCrash() });
    proc.start();
    const seen: Array<[string, number | undefined]> = [];
    await proc.restart({ graceMs: 0, beforeStart: async () => void seen.push([proc.state, proc.pid]) });
    expect(fake.stops).toEqual([[100, 0]]);
    expect(seen).toEqual([['stopped', undefined]]);
    expect(fake.started).toHaveLength(2);
    expect(proc.pid).toBe(101);
  });

  it('stays stopped when stop() comes while a restart waits for the old process to end', async () => {
    const fake = fakeRuntime({ ignoreStop: true });
    const proc = new ManagedProcess(spec, { runtime: fake.runtime, policy: restartOnCrash() });
    proc.start();
    const restarting = proc.restart({ graceMs: 0 });
    const stopping = proc.stop();
    fake.exit(100, null, 'SIGKILL');
    await Promise.all([restarting, stopping]);
    expect(proc.state).toBe('stopped');
    expect(fake.started).toHaveLength(1);
  });

  it('restart() stops, starts a new pid and counts it', async () => {
    const fake = fakeRuntime();
    const proc = new ManagedProcess(spec, { runtime: fake.runtime, policy: restartOnCrash() });
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
    const watch = restartOnHealthFailure({
      probe: async () => results.shift() ?? true,
      isRunning: () => running,
      restart,
      intervalMs: 100,
      failuresBeforeRestart: 3,
    });
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

  it('takes a healthy process out of rotation at its first failed check, retries sooner, and replaces it after K failures', async () => {
    vi.useFakeTimers();
    let answering = true;
    const events: string[] = [];
    const watch = restartOnHealthFailure({
      probe: async () => answering,
      isRunning: () => true,
      leave: async () => void events.push(`leave@${Date.now()}`),
      restart: async () => void events.push(`restart@${Date.now()}`),
      intervalMs: 1000,
      retryMs: 500,
      failuresBeforeRestart: 3,
      startGraceMs: 4500,
    });
    const t0 = Date.now();
    await vi.advanceTimersByTimeAsync(1000);
    expect(watch.health()).toBe('healthy');
    answering = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(watch.health()).toBe('unhealthy');
    expect(events).toEqual([`leave@${t0 + 2000}`]);
    await vi.advanceTimersByTimeAsync(999);
    expect(events).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(events).toEqual([`leave@${t0 + 2000}`, `restart@${t0 + 3000}`]);
    expect(watch.health()).toBe('starting');
    // The replacement fails while it starts: no leave (it was never healthy), checks at the usual pace, still
    // `starting` after K failures within its grace period, and restarted at the first failure after it.
    await vi.advanceTimersByTimeAsync(4000);
    expect(events).toHaveLength(2);
    expect(watch.health()).toBe('starting');
    await vi.advanceTimersByTimeAsync(999);
    expect(events).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(events.at(-1)).toBe(`restart@${t0 + 8000}`);
    watch.stop();
  });

  it('leaves a first start to the supervisor’s own wait (usual pace), and checks a process starting again at start-up pace', async () => {
    vi.useFakeTimers();
    let probes = 0;
    let answering = false;
    const watch = restartOnHealthFailure({
      probe: async () => (probes++, answering),
      isRunning: () => true,
      restart: async () => undefined,
      intervalMs: 1000,
      startingPollMs: 20,
      failuresBeforeRestart: 100,
      startGraceMs: 60_000,
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(probes, 'probed at start-up pace before it was ever healthy').toBe(0);
    watch.markHealthy();
    watch.markStarting();
    await vi.advanceTimersByTimeAsync(1000);
    const beforeAnswer = probes;
    expect(beforeAnswer).toBeGreaterThanOrEqual(40);
    answering = true;
    await vi.advanceTimersByTimeAsync(20);
    expect(watch.health()).toBe('healthy');
    await vi.advanceTimersByTimeAsync(500);
    expect(probes - beforeAnswer, 'back to the usual pace once healthy').toBeLessThanOrEqual(2);
    watch.stop();
  });

  it('never calls restart once stopped, even with a probe under way', async () => {
    vi.useFakeTimers();
    let release: (ok: boolean) => void = () => undefined;
    const restart = vi.fn(async () => undefined);
    const watch = restartOnHealthFailure({
      probe: () => new Promise<boolean>((r) => (release = r)),
      isRunning: () => true,
      restart,
      intervalMs: 100,
      failuresBeforeRestart: 1,
    });
    await vi.advanceTimersByTimeAsync(100);
    watch.stop();
    release(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(restart).not.toHaveBeenCalled();
  });
});

describe('superviseProcess', () => {
  afterEach(() => vi.useRealTimers());

  it('logs what the runtime could not do at a start (a refused CPU weight) once, not again for each replacement', async () => {
    const lines: string[] = [];
    const log = createLogger({
      service: 'test',
      instance: 'test',
      level: 'warn',
      out: { write: (l: string) => lines.push(l) > 0 } as unknown as NodeJS.WritableStream,
    });
    const fake = fakeRuntime({ warning: 'CPU weight 930 (nice -10) not applied: raising a priority takes root or CAP_SYS_NICE' });
    const entry = superviseProcess(spec, async () => true, { runtime: fake.runtime, log, timings: { healthIntervalMs: 60_000, healthFailures: 3 } });
    await entry.proc.restart({ graceMs: 0 });
    expect(fake.started).toHaveLength(2);
    const warned = lines.filter((l) => l.includes('not applied'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain('fake-1: CPU weight 930 (nice -10) not applied: raising a priority takes root or CAP_SYS_NICE');
    await entry.stop();
  });

  it('a hung instance leaves the rotation at its first failed check, then is killed without grace, removed, and started again', async () => {
    vi.useFakeTimers();
    const fake = fakeRuntime();
    let answering = true;
    const calls: string[] = [];
    const entry = superviseProcess(spec, async () => answering, {
      runtime: fake.runtime,
      log: quietLog(),
      timings: { healthIntervalMs: 1000, healthRetryMs: 500, healthFailures: 3 },
      rotation: {
        leave: async (s) => void calls.push(`leave ${s.name}`),
        remove: async (s) => void calls.push(`remove ${s.name} after ${fake.stops.length} stop, ${fake.started.length} start`),
      },
    });
    entry.health.markHealthy();
    answering = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toEqual(['leave fake-1']);
    expect(entry.health.health()).toBe('unhealthy');
    await vi.advanceTimersByTimeAsync(1000);
    expect(fake.stops).toEqual([[100, 0]]);
    expect(calls).toEqual(['leave fake-1', 'remove fake-1 after 1 stop, 1 start']);
    expect(entry.proc.pid).toBe(101);
    expect(entry.proc.restarts).toBe(1);
    await entry.stop();
  });

  it('a crashed instance is taken out once, then restarted at once and starting again: a probe failing while the replacement starts takes nothing more out', async () => {
    vi.useFakeTimers();
    const fake = fakeRuntime();
    let answering = true;
    const calls: string[] = [];
    const entry = superviseProcess(spec, async () => answering, {
      runtime: fake.runtime,
      log: quietLog(),
      timings: { healthIntervalMs: 1000, healthRetryMs: 500, healthFailures: 3, startTimeoutMs: 20_000 },
      rotation: { leave: async (s) => void calls.push(`leave ${s.name}`), remove: async (s) => void calls.push(`remove ${s.name}`) },
    });
    entry.health.markHealthy();
    answering = false;
    fake.exit(100, 137);
    await vi.advanceTimersByTimeAsync(0);
    expect(entry.proc.pid).toBe(101);
    expect(entry.health.health()).toBe('starting');
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls).toEqual(['remove fake-1']);
    expect(entry.health.health()).toBe('starting');
    answering = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(entry.health.health()).toBe('healthy');
    await entry.stop();
  });

  it('checks a replacement at start-up pace while it starts, so it shows healthy as soon as it answers', async () => {
    vi.useFakeTimers();
    const fake = fakeRuntime();
    let answering = true;
    const entry = superviseProcess(spec, async () => answering, {
      runtime: fake.runtime,
      log: quietLog(),
      timings: { healthIntervalMs: 1000, healthRetryMs: 500, healthFailures: 3, startTimeoutMs: 20_000, readyPollMs: 20 },
    });
    entry.health.markHealthy();
    answering = false;
    fake.exit(100, 137);
    await vi.advanceTimersByTimeAsync(0);
    expect(entry.health.health()).toBe('starting');
    await vi.advanceTimersByTimeAsync(200);
    answering = true;
    // Far less than the 1 s health interval.
    await vi.advanceTimersByTimeAsync(60);
    expect(entry.health.health()).toBe('healthy');
    await entry.stop();
  });
});
