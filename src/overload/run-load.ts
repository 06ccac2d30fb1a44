import { performance } from 'node:perf_hooks';
import type { RequestSpec, Scenario, VirtualUser } from './build-scenario.js';
import { collectLoadStats, warmLoadStats, type RequestOutcome } from './collect-load-stats.js';
import { createSetupCall } from './create-setup-call.js';
import { driveRequests } from './drive-requests.js';
import { emitSnapshots } from './emit-snapshots.js';
import { createRawHttpPool } from './raw-http-pool.js';
import type { LoadSnapshot } from './load-snapshot.js';
import { sampleGeneratorLoad } from './sample-generator-load.js';

/** How much load, against what. Either `requestCount` (closed model) or `rate` + `durationMs` (open model). */
export interface LoadOptions {
  origin: string;
  scenario: Scenario;
  concurrency: number;
  requestCount?: number;
  rate?: number;
  durationMs?: number;
  timeoutMs: number;
  /** Worker threads that send the load, each with its own share of the connections (1: this thread, the default). */
  workers?: number;
  /**
   * Send the load from a worker thread even with one worker: this thread draws a live dashboard, and each render
   * (4–85 ms a frame, once a second, measured on 2 cores) would otherwise hold every request in flight.
   */
  offThread?: boolean;
  onSnapshot?: (snapshot: LoadSnapshot) => void;
  /** Every measured request as it completes, with the wall-clock time it ended (`ecom chaos` audits these; this thread only). */
  onOutcome?: (spec: RequestSpec, outcome: RequestOutcome, endedAt: number) => void;
  /** Called once the set-up is done and the first measured request is about to go. */
  onStart?: () => void;
  signal?: AbortSignal;
}

/** Upper bound of the connect timeout (it is the request timeout when that is shorter), as for the set-up calls. */
const MAX_CONNECT_TIMEOUT_MS = 10_000;

/** The whole run's request count: N (closed model) or rate × duration (open model). */
export function plannedRequests(options: Pick<LoadOptions, 'rate' | 'durationMs' | 'requestCount'>): number {
  return options.rate !== undefined ? Math.round((options.rate * (options.durationMs ?? 0)) / 1000) : (options.requestCount ?? 0);
}

/**
 * The load engine (no UI): sends exactly `requestCount` requests over `concurrency` keep-alive connections, each
 * connection a virtual user sending its next request when the previous one completes (closed model); or sends at
 * `rate` per second for `durationMs` whatever the server does (open model; see drive-requests.ts). Emits a frozen
 * snapshot every second and returns the final one. The scenario's set-up runs once, here, through undici
 * (create-setup-call.ts); measured requests go through a minimal HTTP/1.1 pool (raw-http-pool.ts), in this thread or,
 * with `workers` > 1, in that many worker threads whose counts and histograms are merged exactly (run-load-in-workers.ts).
 */
export async function runLoad(options: LoadOptions): Promise<LoadSnapshot> {
  const open = options.rate !== undefined;
  const planned = plannedRequests(options);
  const connectTimeoutMs = Math.min(options.timeoutMs, MAX_CONNECT_TIMEOUT_MS);
  const setup = createSetupCall(options.origin, { connections: options.concurrency, timeoutMs: options.timeoutMs, connectTimeoutMs, signal: options.signal });
  try {
    await options.scenario.prepare(setup.call);
    const workers = Math.max(1, Math.min(options.workers ?? 1, options.concurrency, Math.max(1, planned)));
    if ((workers > 1 || options.offThread === true) && options.scenario.state && !options.onOutcome) {
      const { runLoadInWorkers } = await import('./run-load-in-workers.js');
      return await runLoadInWorkers({ ...options, workers, planned, connectTimeoutMs, state: options.scenario.state() });
    }
    const raw = createRawHttpPool(options.origin, { connections: options.concurrency, timeoutMs: options.timeoutMs, connectTimeoutMs });
    try {
      const users: VirtualUser[] = await Promise.all(Array.from({ length: options.concurrency }, (_, vu) => options.scenario.createUser(vu + 1, setup.call)));
      // Connections are opened before the clock starts: the first measured second is not connection set-up.
      await raw.warm();
      warmLoadStats();
      const stats = collectLoadStats({ target: options.origin, scenario: options.scenario.name, model: open ? 'open' : 'closed', planned });
      options.onStart?.();
      const sampler = sampleGeneratorLoad();
      const startedAt = performance.now();
      const clock = emitSnapshots({ stats, sampler, open, planned, durationMs: options.durationMs, startedAt, onSnapshot: options.onSnapshot });
      let issued = 0;
      await driveRequests({
        raw,
        users,
        sink: stats,
        plan: open ? { model: 'open', intervalMs: 1000 / options.rate!, first: 0, step: 1, planned } : { model: 'closed', claim: () => issued++ < planned },
        startedAt,
        stopped: () => options.signal?.aborted === true,
        onOutcome: options.onOutcome,
      }).catch((err: unknown) => {
        clock.abandon();
        throw err;
      });
      return await clock.finish();
    } finally {
      raw.close();
    }
  } finally {
    await setup.close();
  }
}
