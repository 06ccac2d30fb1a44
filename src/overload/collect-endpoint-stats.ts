import { LatencyHistogram, latencySummary, type LatencyCounts, type LatencyMs } from './latency-histogram.js';
import { errorOf, type RequestOutcome } from './request-outcome.js';

/** One kind of request of a scenario (`product`, `list`, `search`, `checkout`, or `GET /path` of `--target`). */
export interface EndpointStats {
  readonly name: string;
  readonly requests: number;
  readonly ok: number;
  readonly errors: number;
  /** Average completions per second of this kind over the run so far, one decimal. */
  readonly rps: number;
  readonly latencyMs: Readonly<LatencyMs>;
  readonly errorsByKind: Readonly<Record<string, number>>;
}

interface Tally {
  histogram: LatencyHistogram;
  /** Latencies recorded since the last snapshot, added to `histogram` by the next one. */
  recent: LatencyHistogram;
  requests: number;
  ok: number;
  errorsByKind: Record<string, number>;
}

/** What one endpoint completed in a worker thread since its last report: counts and its latency buckets. */
export interface EndpointDelta {
  name: string;
  requests: number;
  ok: number;
  errorsByKind: Record<string, number>;
  latencies: LatencyCounts;
}

/** Per-endpoint counters and histograms (k6's tags): which kind of request is slow or failing. */
export function collectEndpointStats(): {
  record(endpoint: string, outcome: RequestOutcome): void;
  /** Adds what a worker thread completed, exactly as if each of its requests had been recorded here. */
  absorb(delta: EndpointDelta): void;
  /**
   * Adds what every endpoint recorded since the last call to its own histogram and to each of `also` (the run's and
   * the current second's): a few hundred buckets a second, not a pass over whole histograms.
   */
  flushInto(...also: LatencyHistogram[]): void;
  snapshot(elapsedMs: number): readonly EndpointStats[];
} {
  const tallies = new Map<string, Tally>();
  const tallyOf = (endpoint: string): Tally => {
    let t = tallies.get(endpoint);
    if (!t) {
      t = { histogram: new LatencyHistogram(), recent: new LatencyHistogram(), requests: 0, ok: 0, errorsByKind: {} };
      tallies.set(endpoint, t);
    }
    return t;
  };
  return {
    absorb(delta) {
      const t = tallyOf(delta.name);
      t.requests += delta.requests;
      t.ok += delta.ok;
      for (const [kind, n] of Object.entries(delta.errorsByKind)) t.errorsByKind[kind] = (t.errorsByKind[kind] ?? 0) + n;
      t.histogram.addCounts(delta.latencies);
    },
    record(endpoint, outcome) {
      const t = tallyOf(endpoint);
      t.requests++;
      t.recent.record(outcome.latencyUs);
      const error = errorOf(outcome);
      if (error) t.errorsByKind[error] = (t.errorsByKind[error] ?? 0) + 1;
      else t.ok++;
    },
    flushInto(...also) {
      for (const t of tallies.values()) {
        for (const h of [t.histogram, ...also]) h.add(t.recent);
        t.recent.reset();
      }
    },
    snapshot(elapsedMs) {
      for (const t of tallies.values()) {
        t.histogram.add(t.recent);
        t.recent.reset();
      }
      return Object.freeze(
        [...tallies.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, t]) =>
            Object.freeze({
              name,
              requests: t.requests,
              ok: t.ok,
              errors: t.requests - t.ok,
              rps: elapsedMs > 0 ? Math.round((t.requests / elapsedMs) * 1000 * 10) / 10 : 0,
              latencyMs: Object.freeze(latencySummary(t.histogram)),
              errorsByKind: Object.freeze({ ...t.errorsByKind }),
            }),
          ),
      );
    },
  };
}
