import type { LoadSnapshot } from './load-snapshot.js';

/** The JSON report of `ecom overload --json FILE` (docs/report-format.md). */
export interface LoadReport {
  requests: number;
  ok: number;
  errors: number;
  retries: number;
  byStatus: Record<string, number>;
  errorsByKind: Record<string, number>;
  rps: number;
  durationMs: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  instances: Record<string, number>;
  cache: Record<string, number>;
  thresholds: Array<{ expr: string; ok: boolean; actual: number }>;
}

/** Turns the final snapshot into the report (thresholds are checked by the caller). */
export function toReport(snapshot: LoadSnapshot): Omit<LoadReport, 'thresholds'> {
  return {
    requests: snapshot.completed,
    ok: snapshot.ok,
    errors: snapshot.errors,
    retries: snapshot.retries,
    byStatus: { ...snapshot.byStatus },
    errorsByKind: { ...snapshot.errorsByKind },
    rps: snapshot.averageRps,
    durationMs: snapshot.elapsedMs,
    latencyMs: { ...snapshot.latencyMs },
    instances: { ...snapshot.instances },
    cache: { ...snapshot.cache },
  };
}
