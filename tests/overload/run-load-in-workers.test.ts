import { Worker } from 'node:worker_threads';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EcomError } from '../../src/common/ecom-error.js';
import { plainGetScenario } from '../../src/overload/build-scenario.js';
import type { LoadWorkerData } from '../../src/overload/load-worker-protocol.js';
import { runLoadInWorkers, splitEvenly } from '../../src/overload/run-load-in-workers.js';
import { runLoad } from '../../src/overload/run-load.js';
import { startLoadWorker } from '../../src/overload/start-load-worker.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';

// The threads run the built worker (dist/overload/load-worker.js): `npm run build` first.
const FIXTURE = resolve(import.meta.dirname, '../fixtures/failing-load-worker.mjs');

describe('runLoad with worker threads', () => {
  let target: HttpTarget | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  it('splits connections and counts evenly, the remainder to the first', () => {
    expect(splitEvenly(10, 3)).toEqual([4, 3, 3]);
    expect(splitEvenly(1000, 2)).toEqual([500, 500]);
    expect(splitEvenly(2, 4)).toEqual([1, 1, 0, 0]);
  });

  it.each([
    [1, 2, 1],
    [97, 8, 2],
    [2000, 7, 3],
    [5000, 64, 2],
  ])('closed model: N=%i at concurrency %i over %i workers reaches the server exactly N times', async (n, c, workers) => {
    target = await startHttpTarget((req, res) => {
      res.setHeader('X-Instance-Id', `product-${1 + (Number(req.socket.remotePort) % 2)}`);
      res.end('ok');
    });
    const snapshots: number[] = [];
    const final = await runLoad({
      origin: target.origin,
      scenario: plainGetScenario('/'),
      concurrency: c,
      requestCount: n,
      timeoutMs: 5000,
      workers,
      onSnapshot: (s) => snapshots.push(s.completed),
    });
    expect(target.seen()).toBe(n);
    expect(final).toMatchObject({ final: true, model: 'closed', planned: n, completed: n, ok: n, errors: 0, inFlight: 0, byStatus: { '200': n } });
    expect(Object.values(final.instances).reduce((a, b) => a + b, 0)).toBe(n);
    expect(final.endpoints).toHaveLength(1);
    expect(final.endpoints[0]!.requests).toBe(n);
    expect(final.timeline.reduce((sum, t) => sum + t.requests, 0)).toBe(n);
    expect(final.spectrum.at(-1)!.percentile).toBe(100);
    expect(snapshots.at(-1)).toBe(n);
  });

  it('open model: rate × duration requests, split over the workers, no more, no fewer', async () => {
    target = await startHttpTarget();
    const final = await runLoad({
      origin: target.origin,
      scenario: plainGetScenario('/'),
      concurrency: 6,
      rate: 200,
      durationMs: 1000,
      timeoutMs: 5000,
      workers: 3,
    });
    expect(final.model).toBe('open');
    expect(final.completed).toBe(200);
    expect(target.seen()).toBe(200);
  });

  it('merges the threads’ latencies: every one recorded, none below the target’s fixed delay', async () => {
    const delayMs = 40;
    target = await startHttpTarget((_req, res) => setTimeout(() => res.end('ok'), delayMs));
    const two = await runLoad({ origin: target.origin, scenario: plainGetScenario('/'), concurrency: 8, requestCount: 160, timeoutMs: 5000, workers: 2 });
    expect(two.completed).toBe(160);
    expect(two.endpoints.map((e) => [e.name, e.requests, e.ok])).toEqual([[two.endpoints[0]!.name, 160, 160]]);
    // No latency of either thread is lost or zeroed in the merge: the smallest is at least the delay, and the
    // percentiles are ordered up to the largest. (How close two runs come is the machine's timer jitter, not the
    // merge, which record-load-delta.test.ts checks exactly.)
    // (Up to 2 ms under it: the server's timer may fire a millisecond early, and the client stamps a request after
    // writing it.)
    expect(two.spectrum[0]!.latencyMs).toBeGreaterThanOrEqual(delayMs - 2);
    expect(two.latencyMs.p50).toBeGreaterThanOrEqual(delayMs - 2);
    expect(two.latencyMs.p90).toBeGreaterThanOrEqual(two.latencyMs.p50);
    expect(two.latencyMs.max).toBeGreaterThanOrEqual(two.latencyMs.p90);
    expect(two.spectrum.at(-1)!.latencyMs).toBeCloseTo(two.latencyMs.max, 0);
  });

  it.each([
    [true, 'a worker thread: the block is not the engine’s lag'],
    [false, 'this thread: the block is the engine’s lag'],
  ])('offThread %s with one worker sends the load from %s', async (offThread) => {
    target = await startHttpTarget();
    const blockMs = 600;
    let blocked = false;
    const final = await runLoad({
      origin: target.origin,
      scenario: plainGetScenario('/'),
      concurrency: 4,
      rate: 100,
      durationMs: 1500,
      timeoutMs: 5000,
      workers: 1,
      offThread,
      // A dashboard's frame: the first snapshot holds this thread (and the target, which runs here too).
      onSnapshot: () => {
        if (blocked) return;
        blocked = true;
        const until = performance.now() + blockMs;
        while (performance.now() < until);
      },
    });
    expect(blocked).toBe(true);
    expect(final.completed).toBe(150);
    if (offThread) expect(final.generator.eventLoopLagMs.max).toBeLessThan(blockMs);
    else expect(final.generator.eventLoopLagMs.max).toBeGreaterThanOrEqual(blockMs - 20);
  });

  it('stops every worker when aborted, and returns what completed', async () => {
    target = await startHttpTarget((_req, res) => setTimeout(() => res.end('ok'), 5));
    const started: Worker[] = [];
    const abort = new AbortController();
    const run = runLoadInWorkers({
      origin: target.origin,
      scenario: plainGetScenario('/'),
      state: plainGetScenario('/').state!(),
      concurrency: 8,
      requestCount: 10_000_000,
      planned: 10_000_000,
      timeoutMs: 5000,
      connectTimeoutMs: 5000,
      workers: 2,
      signal: abort.signal,
      onStart: () => setTimeout(() => abort.abort(), 300),
      startWorker: (data) => {
        const w = startLoadWorker(data);
        started.push(w);
        return w;
      },
    });
    const final = await run;
    expect(started).toHaveLength(2);
    expect(final.completed).toBeGreaterThan(0);
    expect(final.completed).toBeLessThan(10_000_000);
    expect(final.completed).toBe(target.seen());
    expect(final.inFlight).toBe(0);
    for (const w of started) expect(w.threadId).toBe(-1);
  });

  it.each([
    ['throw', /^load worker 2 of 2 failed: load worker fixture exploded$/],
    ['exit', /^load worker 2 of 2 stopped \(exit code 3\) before its requests were done$/],
  ])('a worker that fails (%s) ends the run with one clear line, and no thread is left', async (failure, message) => {
    target = await startHttpTarget();
    const started: Worker[] = [];
    const err = await runLoadInWorkers({
      origin: target.origin,
      scenario: plainGetScenario('/'),
      state: plainGetScenario('/').state!(),
      concurrency: 4,
      requestCount: 1_000_000,
      planned: 1_000_000,
      timeoutMs: 5000,
      connectTimeoutMs: 5000,
      workers: 2,
      startWorker: (data: LoadWorkerData) => {
        const w = data.index === 2 ? new Worker(FIXTURE, { workerData: { failure } }) : startLoadWorker(data);
        started.push(w);
        return w;
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EcomError);
    expect((err as EcomError).code).toBe('load_worker_failed');
    expect((err as EcomError).message).toMatch(message);
    for (const w of started) expect(w.threadId).toBe(-1);
  });

  it('a worker that never gets ready does not hang an aborted run', async () => {
    target = await startHttpTarget();
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 200);
    const err = await runLoadInWorkers({
      origin: target.origin,
      scenario: plainGetScenario('/'),
      state: plainGetScenario('/').state!(),
      concurrency: 2,
      requestCount: 10,
      planned: 10,
      timeoutMs: 5000,
      connectTimeoutMs: 5000,
      workers: 2,
      signal: abort.signal,
      startWorker: (data) => (data.index === 2 ? new Worker(FIXTURE, { workerData: { failure: 'hang' } }) : startLoadWorker(data)),
    }).catch((e: unknown) => e);
    expect((err as EcomError).code).toBe('interrupted');
  });
});
