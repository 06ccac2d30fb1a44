import * as hdr from 'hdr-histogram-js';
import type { LoadSnapshot } from './load-snapshot.js';

/** The outcome of one request as the engine saw it. */
export type RequestOutcome =
  | { kind: 'response'; status: number; latencyUs: number; instance?: string | undefined; cache?: string | undefined }
  | { kind: 'failure'; error: string; latencyUs: number };

/** Accumulates outcomes and turns them into immutable snapshots. */
export interface LoadStats {
  record(outcome: RequestOutcome): void;
  retried(): void;
  started(): void;
  snapshot(meta: { final: boolean; elapsedMs: number; etaMs: number | null }): LoadSnapshot;
}

const US_PER_MS = 1000;
const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Collects latencies in an HdrHistogram (microseconds, 3 significant digits, up to 10 minutes) and counters. */
export function collectLoadStats(info: { target: string; scenario: string; model: 'closed' | 'open'; planned: number }): LoadStats {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  const byStatus: Record<string, number> = {};
  const errorsByKind: Record<string, number> = {};
  const instances: Record<string, number> = {};
  const cache: Record<string, number> = {};
  const history: number[] = [];
  let completed = 0;
  let ok = 0;
  let errors = 0;
  let retries = 0;
  let started = 0;
  let completedAtLastTick = 0;
  const bump = (map: Record<string, number>, key: string): void => {
    map[key] = (map[key] ?? 0) + 1;
  };
  return {
    record(outcome) {
      completed++;
      histogram.recordValue(Math.max(1, Math.round(outcome.latencyUs)));
      if (outcome.kind === 'failure') {
        errors++;
        bump(errorsByKind, outcome.error);
        return;
      }
      bump(byStatus, String(outcome.status));
      if (outcome.status >= 400) {
        errors++;
        bump(errorsByKind, `HTTP_${outcome.status}`);
      } else {
        ok++;
      }
      if (outcome.instance) bump(instances, outcome.instance);
      if (outcome.cache) bump(cache, outcome.cache);
    },
    retried() {
      retries++;
    },
    started() {
      started++;
    },
    snapshot({ final, elapsedMs, etaMs }) {
      if (!final) {
        history.push(completed - completedAtLastTick);
        completedAtLastTick = completed;
        if (history.length > 60) history.shift();
      }
      const has = histogram.totalCount > 0;
      // A percentile is the upper bound of its HdrHistogram bucket, which can exceed the largest value recorded: clamp it.
      const at = (p: number): number => (has ? round(Math.min(histogram.getValueAtPercentile(p), histogram.maxValue) / US_PER_MS) : 0);
      return Object.freeze({
        final,
        target: info.target,
        scenario: info.scenario,
        model: info.model,
        elapsedMs: Math.round(elapsedMs),
        planned: info.planned,
        completed,
        ok,
        errors,
        retries,
        inFlight: started - completed,
        byStatus: Object.freeze({ ...byStatus }),
        errorsByKind: Object.freeze({ ...errorsByKind }),
        currentRps: history.at(-1) ?? 0,
        averageRps: elapsedMs > 0 ? Math.round((completed / elapsedMs) * 1000 * 10) / 10 : 0,
        rpsHistory: Object.freeze([...history]),
        latencyMs: Object.freeze({
          p50: at(50),
          p90: at(90),
          p99: at(99),
          p999: at(99.9),
          max: has ? round(histogram.maxValue / US_PER_MS) : 0,
          mean: has ? round(histogram.mean / US_PER_MS) : 0,
        }),
        instances: Object.freeze({ ...instances }),
        cache: Object.freeze({ ...cache }),
        etaMs,
      });
    },
  };
}
