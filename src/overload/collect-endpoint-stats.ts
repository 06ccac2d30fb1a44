import { createLatencyHistogram, latencySummary, recordLatency, type LatencyHistogram, type LatencyMs } from './latency-histogram.js';
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
  requests: number;
  ok: number;
  errorsByKind: Record<string, number>;
}

/** Per-endpoint counters and histograms (k6's tags): which kind of request is slow or failing. */
export function collectEndpointStats(): {
  record(endpoint: string, outcome: RequestOutcome): void;
  /** Replaces `target`'s counts with all endpoints' together: the whole run's latencies, recorded only once. */
  mergeInto(target: LatencyHistogram): void;
  snapshot(elapsedMs: number): readonly EndpointStats[];
} {
  const tallies = new Map<string, Tally>();
  return {
    record(endpoint, outcome) {
      let t = tallies.get(endpoint);
      if (!t) {
        t = { histogram: createLatencyHistogram(), requests: 0, ok: 0, errorsByKind: {} };
        tallies.set(endpoint, t);
      }
      t.requests++;
      recordLatency(t.histogram, outcome.latencyUs);
      const error = errorOf(outcome);
      if (error) t.errorsByKind[error] = (t.errorsByKind[error] ?? 0) + 1;
      else t.ok++;
    },
    mergeInto(target) {
      target.reset();
      for (const t of tallies.values()) target.add(t.histogram);
    },
    snapshot(elapsedMs) {
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
