import type { LoadDelta } from './collect-load-stats.js';
import type { RequestSink } from './drive-requests.js';
import { LatencyHistogram } from './latency-histogram.js';
import { errorOf } from './request-outcome.js';

interface Tally {
  latencies: LatencyHistogram;
  requests: number;
  ok: number;
  errorsByKind: Record<string, number>;
}

/**
 * A worker thread's side of the counting: the same counters as the main thread's collector and per-endpoint
 * latency buckets (latency-histogram.ts), kept only since the last `drain`, which hands them over as plain data
 * and starts afresh.
 */
export function recordLoadDelta(): RequestSink & { drain(): LoadDelta } {
  let tallies = new Map<string, Tally>();
  let byStatus: Record<string, number> = {};
  let instances: Record<string, number> = {};
  let cache: Record<string, number> = {};
  let started = 0;
  let retries = 0;
  // Recorders are reused from one report to the next: building one costs more than draining it.
  const spare: LatencyHistogram[] = [];
  return {
    started() {
      started++;
    },
    retried() {
      retries++;
    },
    record(outcome, endpoint) {
      let t = tallies.get(endpoint);
      if (!t) {
        t = { latencies: spare.pop() ?? new LatencyHistogram(), requests: 0, ok: 0, errorsByKind: {} };
        tallies.set(endpoint, t);
      }
      t.requests++;
      t.latencies.record(outcome.latencyUs);
      const error = errorOf(outcome);
      if (error) t.errorsByKind[error] = (t.errorsByKind[error] ?? 0) + 1;
      else t.ok++;
      if (outcome.kind === 'response') {
        byStatus[outcome.status] = (byStatus[outcome.status] ?? 0) + 1;
        if (outcome.instance) instances[outcome.instance] = (instances[outcome.instance] ?? 0) + 1;
        if (outcome.cache) cache[outcome.cache] = (cache[outcome.cache] ?? 0) + 1;
      }
    },
    drain() {
      const delta: LoadDelta = {
        started,
        retries,
        byStatus,
        instances,
        cache,
        endpoints: [...tallies].map(([name, t]) => ({
          name,
          requests: t.requests,
          ok: t.ok,
          errorsByKind: t.errorsByKind,
          latencies: t.latencies.drain(),
        })),
      };
      for (const t of tallies.values()) spare.push(t.latencies);
      tallies = new Map();
      byStatus = {};
      instances = {};
      cache = {};
      started = 0;
      retries = 0;
      return delta;
    },
  };
}
