import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { EcomError } from '../common/ecom-error.js';
import type { ScenarioState } from './build-scenario.js';
import { collectLoadStats } from './collect-load-stats.js';
import { emitSnapshots } from './emit-snapshots.js';
import type { LoadSnapshot } from './load-snapshot.js';
import { STOP, type FromLoadWorker, type LoadWorkerData, type ToLoadWorker } from './load-worker-protocol.js';
import type { LoadOptions } from './run-load.js';
import { sampleGeneratorLoad, type GeneratorSampler } from './sample-generator-load.js';
import { startLoadWorker } from './start-load-worker.js';

/** A run split over worker threads: the load options, the prepared scenario's state and how to start a thread. */
export interface WorkersRun extends LoadOptions {
  workers: number;
  planned: number;
  connectTimeoutMs: number;
  state: ScenarioState;
  /** How a thread is started (tests start a misbehaving one). */
  startWorker?: (data: LoadWorkerData) => Worker;
}

/** `total` split into `parts` integers that differ by at most one, the larger first. */
export function splitEvenly(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

interface Thread {
  worker: Worker;
  done: boolean;
  exited: Promise<void>;
  /** Resolves the pending `flush` (its answer, or `done`, arrived). */
  answered?: () => void;
}

/**
 * Runs the load in `workers` threads, each with its share of the connections (and of the open model's schedule:
 * thread i sends requests i, i + W, i + 2W...; the closed model's N is claimed from one shared counter, so exactly N
 * go out whichever thread is faster). Set-up ran in this thread; the threads only send. Once a second, and at the end,
 * each thread hands over its counters and histogram buckets, which are added here exactly: the snapshots are those
 * of one thread having sent everything. A thread that fails or dies ends the run with `load_worker_failed`.
 */
export async function runLoadInWorkers(run: WorkersRun): Promise<LoadSnapshot> {
  const open = run.rate !== undefined;
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const stats = collectLoadStats({ target: run.origin, scenario: run.scenario.name, model: open ? 'open' : 'closed', planned: run.planned });
  // Sampled from the start of the measured run, as in one thread: the threads' start-up and warm-up are set-up.
  let sampler: GeneratorSampler | undefined;
  const connections = splitEvenly(run.concurrency, run.workers);
  const threads: Thread[] = [];
  let fail: (err: EcomError) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  const failure = (i: number, what: string): EcomError =>
    new EcomError('load_worker_failed', `load worker ${i + 1} of ${run.workers} ${what}`, { hint: 'run again with --workers 1 to load from one thread' });
  const ready: Array<Promise<void>> = [];
  const done: Array<Promise<void>> = [];
  let started = false;
  const stop = (): void => {
    Atomics.store(shared, STOP, 1);
    // Before the first request, Ctrl-C ends the set-up at once (a thread may still be opening its connections).
    if (!started) fail(new EcomError('interrupted', 'interrupted before the first request'));
  };
  run.signal?.addEventListener('abort', stop);
  if (run.signal?.aborted) stop();
  try {
    for (let i = 0; i < run.workers; i++) {
      const data: LoadWorkerData = {
        index: i + 1,
        origin: run.origin,
        state: run.state,
        connections: connections[i]!,
        firstVu: 1 + connections.slice(0, i).reduce((a, b) => a + b, 0),
        timeoutMs: run.timeoutMs,
        connectTimeoutMs: run.connectTimeoutMs,
        shared,
        plan: open
          ? { model: 'open', intervalMs: 1000 / run.rate!, first: i, step: run.workers, planned: run.planned }
          : { model: 'closed', planned: run.planned },
      };
      const worker = (run.startWorker ?? startLoadWorker)(data);
      const thread: Thread = { worker, done: false, exited: new Promise((resolve) => worker.once('exit', () => resolve())) };
      threads.push(thread);
      let isReady: () => void = () => undefined;
      let isDone: () => void = () => undefined;
      ready.push(new Promise((resolve) => (isReady = resolve)));
      done.push(new Promise((resolve) => (isDone = resolve)));
      thread.worker.on('message', (message: FromLoadWorker) => {
        if (message.type === 'ready') return isReady();
        if (message.type === 'failed') return fail(failure(i, `failed: ${message.message}`));
        stats.absorb(message.delta);
        for (const lag of message.lags) sampler?.recordLag(lag);
        if (message.type === 'done') {
          thread.done = true;
          isDone();
        }
        thread.answered?.();
        thread.answered = undefined;
      });
      thread.worker.on('error', (err) => fail(failure(i, `failed: ${err.message}`)));
      thread.worker.on('exit', (code) => {
        if (!thread.done) fail(failure(i, `stopped (exit code ${code}) before its requests were done`));
      });
    }
    await Promise.race([Promise.all(ready), failed]);
    started = true;
    run.onStart?.();
    sampler = sampleGeneratorLoad({ threads: run.workers, ownLag: false });
    const startedAt = performance.now();
    for (const t of threads) t.worker.postMessage({ type: 'start', startedAtEpochMs: performance.timeOrigin + startedAt } satisfies ToLoadWorker);
    const collect = async (): Promise<void> => {
      const answers = threads
        .filter((t) => !t.done)
        .map((t) => {
          const answered = new Promise<void>((resolve) => (t.answered = resolve));
          t.worker.postMessage({ type: 'flush' } satisfies ToLoadWorker);
          return answered;
        });
      await Promise.race([Promise.all(answers), failed]);
    };
    const clock = emitSnapshots({ stats, sampler, open, planned: run.planned, durationMs: run.durationMs, startedAt, onSnapshot: run.onSnapshot, collect });
    await Promise.race([Promise.all(done), failed]).catch((err: unknown) => {
      clock.abandon();
      throw err;
    });
    return await clock.finish();
  } finally {
    stop();
    sampler?.stop();
    run.signal?.removeEventListener('abort', stop);
    // Every thread is gone when the run returns: those still sending (a failure) are terminated, the others end by themselves.
    for (const t of threads) if (!t.done) void t.worker.terminate();
    await Promise.all(threads.map((t) => t.exited));
  }
}
