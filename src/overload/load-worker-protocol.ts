import type { ScenarioState } from './build-scenario.js';
import type { LoadDelta } from './collect-load-stats.js';

/** Closed model: one shared counter of claimed requests (slot 0) and the stop flag (slot 1), in shared memory. */
export const CLAIMED = 0;
export const STOP = 1;

/** What a load worker thread is started with (its `workerData`): plain, cloneable data only. */
export interface LoadWorkerData {
  /** 1-based, for messages. */
  index: number;
  origin: string;
  state: ScenarioState;
  /** This worker's share of the connections, and the number of its first virtual user (users are numbered run-wide). */
  connections: number;
  firstVu: number;
  timeoutMs: number;
  connectTimeoutMs: number;
  /** Slots CLAIMED and STOP of an Int32Array over a SharedArrayBuffer, shared by every worker and the main thread. */
  shared: Int32Array;
  /** Closed model: requests are claimed from the shared counter up to `planned`; open model: every `step`-th of the schedule from `first`. */
  plan: { model: 'closed'; planned: number } | { model: 'open'; intervalMs: number; first: number; step: number; planned: number };
}

/** Main thread → worker. `start` carries the run's zero as an epoch time in ms (performance.timeOrigin + now()). */
export type ToLoadWorker = { type: 'start'; startedAtEpochMs: number } | { type: 'flush' };

/** Worker → main thread: ready (connections warm), a report since the last one (answering `flush`), done, or failed. */
export type FromLoadWorker =
  | { type: 'ready'; opened: number }
  | { type: 'delta'; delta: LoadDelta; lags: number[] }
  | { type: 'done'; delta: LoadDelta; lags: number[] }
  | { type: 'failed'; message: string };
