import { UsageError } from '../common/ecom-error.js';
import type { LoadReport } from './load-report.js';

/**
 * Metrics a threshold may name; latency ones are in milliseconds. `generator_cpu` (% of one core) and
 * `generator_lag` (event-loop lag p99, ms) gate on the generator itself, e.g. `generator_cpu<90`, and
 * `generator_saturated` (1 when the run was flagged saturated, else 0) on its verdict: `generator_saturated<1`.
 */
export const THRESHOLD_METRICS = [
  'p50',
  'p90',
  'p99',
  'p999',
  'max',
  'mean',
  'errors',
  'rps',
  'requests',
  'ok',
  'retries',
  'generator_cpu',
  'generator_lag',
  'generator_saturated',
] as const;
export type ThresholdMetric = (typeof THRESHOLD_METRICS)[number];

/** A parsed `--threshold` such as `p99<50` or `errors<1%`. */
export interface Threshold {
  expr: string;
  metric: ThresholdMetric;
  op: '<' | '<=' | '>' | '>=';
  value: number;
  /** `errors<1%`: compared against errors / requests × 100. */
  percent: boolean;
}

/** What a threshold reads of a report. */
export type ThresholdInput = Pick<LoadReport, 'latencyMs' | 'rps' | 'requests' | 'ok' | 'errors' | 'retries' | 'generator'>;

/** Parses one threshold expression; a malformed one or an unknown metric is a usage error (exit 2). */
export function parseThreshold(expr: string): Threshold {
  const match = /^\s*([a-z0-9_]+)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(%|ms)?\s*$/.exec(expr);
  if (!match) {
    throw new UsageError('invalid_threshold', `--threshold "${expr}": expected METRIC<VALUE or METRIC>VALUE, like p99<50, errors<1%, rps>1000`);
  }
  const [, metric, op, value, unit] = match;
  if (!(THRESHOLD_METRICS as readonly string[]).includes(metric!)) {
    throw new UsageError('invalid_threshold', `--threshold "${expr}": unknown metric "${metric}" (expected one of ${THRESHOLD_METRICS.join(', ')})`);
  }
  if (unit === '%' && metric !== 'errors' && metric !== 'ok' && metric !== 'retries') {
    throw new UsageError('invalid_threshold', `--threshold "${expr}": % applies to errors, ok and retries only`);
  }
  return { expr: expr.trim(), metric: metric as ThresholdMetric, op: op as Threshold['op'], value: Number(value), percent: unit === '%' };
}

/** The value a threshold compares, read from a report. */
export function thresholdActual(t: Threshold, report: ThresholdInput): number {
  switch (t.metric) {
    case 'p50':
    case 'p90':
    case 'p99':
    case 'p999':
    case 'max':
    case 'mean':
      return report.latencyMs[t.metric];
    case 'rps':
      return report.rps;
    case 'requests':
      return report.requests;
    case 'generator_cpu':
      return report.generator.cpuPercent;
    case 'generator_lag':
      return report.generator.eventLoopLagMs.p99;
    case 'generator_saturated':
      return report.generator.saturated ? 1 : 0;
    default: {
      const count = report[t.metric];
      return t.percent ? (report.requests === 0 ? 0 : (count / report.requests) * 100) : count;
    }
  }
}

/** Whether a report satisfies a threshold. */
export function checkThreshold(t: Threshold, report: ThresholdInput): { expr: string; ok: boolean; actual: number } {
  const actual = thresholdActual(t, report);
  const ok = t.op === '<' ? actual < t.value : t.op === '<=' ? actual <= t.value : t.op === '>' ? actual > t.value : actual >= t.value;
  return { expr: t.expr, ok, actual: Math.round(actual * 1000) / 1000 };
}
