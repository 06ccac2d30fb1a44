import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import type { SetupCall } from './build-scenario.js';
import { driveRequests } from './drive-requests.js';
import { CLAIMED, STOP, type FromLoadWorker, type LoadWorkerData, type ToLoadWorker } from './load-worker-protocol.js';
import { createRawHttpPool } from './raw-http-pool.js';
import { recordLoadDelta } from './record-load-delta.js';
import { restoreScenario } from './restore-scenario.js';
import { watchEventLoopLag } from './sample-generator-load.js';

/** Set-up belongs to the main thread: a scenario asking for it here is a bug, said plainly. */
const noSetup: SetupCall = () => Promise.reject(new Error('set-up calls run in the main thread, not in a load worker'));

/**
 * A load worker thread (run-load-in-workers.ts starts it): opens its share of the connections, says `ready`, sends
 * its share of the requests once told to `start`, answers each `flush` with what completed since the last one
 * (counters, per-endpoint histogram buckets, event-loop lag samples) and ends with `done`.
 */
async function runWorker(data: LoadWorkerData, port: NonNullable<typeof parentPort>): Promise<void> {
  const post = (message: FromLoadWorker): void => port.postMessage(message);
  const scenario = restoreScenario(data.state);
  const raw = createRawHttpPool(data.origin, { connections: data.connections, timeoutMs: data.timeoutMs, connectTimeoutMs: data.connectTimeoutMs });
  try {
    const users = await Promise.all(Array.from({ length: data.connections }, (_, i) => scenario.createUser(data.firstVu + i, noSetup)));
    const opened = await raw.warm();
    const recorder = recordLoadDelta();
    const lags: number[] = [];
    const started = new Promise<number>((resolve) => {
      port.on('message', (message: ToLoadWorker) => {
        if (message.type === 'start') resolve(message.startedAtEpochMs - performance.timeOrigin);
        else post({ type: 'delta', delta: recorder.drain(), lags: lags.splice(0) });
      });
    });
    post({ type: 'ready', opened });
    const startedAt = await started;
    const stopLag = watchEventLoopLag((ms) => lags.push(ms));
    const { shared, plan } = data;
    await driveRequests({
      raw,
      users,
      sink: recorder,
      plan: plan.model === 'open' ? plan : { model: 'closed', claim: () => Atomics.add(shared, CLAIMED, 1) < plan.planned },
      startedAt,
      stopped: () => Atomics.load(shared, STOP) === 1,
    });
    stopLag();
    post({ type: 'done', delta: recorder.drain(), lags: lags.splice(0) });
  } finally {
    raw.close();
    port.unref();
  }
}

if (parentPort) {
  const port = parentPort;
  runWorker(workerData as LoadWorkerData, port).catch((err: unknown) => {
    port.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err) } satisfies FromLoadWorker);
    port.unref();
  });
}
