import { collectEndpointStats, type EndpointDelta } from './collect-endpoint-stats.js';
import { LatencyHistogram, latencySpectrum, latencySummary } from './latency-histogram.js';
import type { LoadSnapshot } from './load-snapshot.js';
import { recordTimeline } from './record-timeline.js';
import type { RequestOutcome } from './request-outcome.js';
import type { GeneratorLoad } from './sample-generator-load.js';

export type { RequestOutcome } from './request-outcome.js';

/** What a worker thread sent, completed and retried since its last report (record-load-delta.ts). */
export interface LoadDelta {
  started: number;
  retries: number;
  byStatus: Record<string, number>;
  instances: Record<string, number>;
  cache: Record<string, number>;
  endpoints: EndpointDelta[];
}

/** Accumulates outcomes and turns them into immutable snapshots. */
export interface LoadStats {
  /** One completed request; `endpoint` names its kind (see build-scenario.ts), for the per-endpoint breakdown. */
  record(outcome: RequestOutcome, endpoint?: string): void;
  retried(): void;
  started(): void;
  /** Adds a worker thread's report: afterwards every count, histogram and snapshot is as if this thread had sent its requests. */
  absorb(delta: LoadDelta): void;
  /** A frozen snapshot; a non-final one also closes the current second of the timeline (the engine calls it once a second). */
  snapshot(meta: { final: boolean; elapsedMs: number; etaMs: number | null; generator?: { total: GeneratorLoad; now: GeneratorLoad } }): LoadSnapshot;
}

/** A generator nobody measured (a snapshot built without a sampler). */
const UNMEASURED: GeneratorLoad = Object.freeze({ cpuPercent: 0, eventLoopLagMs: Object.freeze({ p50: 0, p99: 0, max: 0 }), saturated: false });

/**
 * Collects latencies in HdrHistograms (microseconds, 3 significant digits, up to 10 minutes) and counters. Each latency
 * is counted once, in its endpoint's recorder, and once a second the buckets counted since the last tick are added
 * to the endpoint's histogram, the whole run's and the current second's (which the timeline reads, then is emptied).
 */
export function collectLoadStats(info: { target: string; scenario: string; model: 'closed' | 'open'; planned: number }): LoadStats {
  const histogram = new LatencyHistogram();
  const thisSecond = new LatencyHistogram();
  const timeline = recordTimeline();
  const endpoints = collectEndpointStats();
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
  let secondMaxUs = 0;
  let startedAtMs: number | undefined;
  const bump = (map: Record<string, number>, key: string, n = 1): void => {
    map[key] = (map[key] ?? 0) + n;
  };
  const bumpAll = (map: Record<string, number>, from: Record<string, number>): void => {
    for (const key in from) bump(map, key, from[key]);
  };
  return {
    absorb(delta) {
      started += delta.started;
      retries += delta.retries;
      bumpAll(byStatus, delta.byStatus);
      bumpAll(instances, delta.instances);
      bumpAll(cache, delta.cache);
      for (const e of delta.endpoints) {
        completed += e.requests;
        ok += e.ok;
        errors += e.requests - e.ok;
        bumpAll(errorsByKind, e.errorsByKind);
        if (e.latencies.maxUs > secondMaxUs) secondMaxUs = e.latencies.maxUs;
        endpoints.absorb(e);
        histogram.addCounts(e.latencies);
        thisSecond.addCounts(e.latencies);
      }
    },
    record(outcome, endpoint = 'other') {
      completed++;
      if (outcome.latencyUs > secondMaxUs) secondMaxUs = outcome.latencyUs;
      endpoints.record(endpoint, outcome);
      if (outcome.kind === 'failure') {
        errors++;
        bump(errorsByKind, outcome.error);
        return;
      }
      byStatus[outcome.status] = (byStatus[outcome.status] ?? 0) + 1;
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
    snapshot({ final, elapsedMs, etaMs, generator }) {
      // Wall clock of the first measured request, from the elapsed time the engine measured at this very moment.
      startedAtMs ??= Date.now() - Math.round(elapsedMs);
      if (!final) {
        history.push(completed - completedAtLastTick);
        completedAtLastTick = completed;
        if (history.length > 60) history.shift();
      }
      endpoints.flushInto(histogram, thisSecond);
      timeline.close(elapsedMs, final, { completed, ok, errorsByKind, instances, cache }, { histogram: thisSecond, maxUs: secondMaxUs });
      secondMaxUs = 0;
      thisSecond.reset();
      return Object.freeze({
        final,
        target: info.target,
        scenario: info.scenario,
        model: info.model,
        startedAtMs,
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
        latencyMs: Object.freeze(latencySummary(histogram)),
        instances: Object.freeze({ ...instances }),
        cache: Object.freeze({ ...cache }),
        etaMs,
        timeline: timeline.points(),
        endpoints: endpoints.snapshot(elapsedMs),
        spectrum: final ? Object.freeze(latencySpectrum(histogram).map((p) => Object.freeze(p))) : Object.freeze([]),
        generator: generator?.total ?? UNMEASURED,
        generatorNow: generator?.now ?? UNMEASURED,
      });
    },
  };
}

/**
 * Runs a tick's code (recording, per-second and final snapshots) once on throwaway counts, before the clock starts.
 * Its first run inside a measured second otherwise compiles it there: 6–12 ms that every request in flight waited for.
 */
export function warmLoadStats(): void {
  const stats = collectLoadStats({ target: '', scenario: '', model: 'closed', planned: 3 });
  stats.record({ kind: 'response', status: 200, latencyUs: 900, instance: 'warm', cache: 'HIT' }, 'warm');
  stats.record({ kind: 'response', status: 500, latencyUs: 90_000 }, 'warm');
  stats.record({ kind: 'failure', error: 'TIMEOUT', latencyUs: 9_000_000 }, 'warm');
  stats.snapshot({ final: false, elapsedMs: 1000, etaMs: 0 });
  stats.snapshot({ final: true, elapsedMs: 1500, etaMs: 0 });
}
