import { EcomError } from '../common/ecom-error.js';
import { httpUrl } from '../common/http-url.js';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { parseDuration } from '../common/parse-duration.js';

/** One instance's samples over a window: `[time in ms since the epoch, value]`, oldest first. */
export interface InstanceSeries {
  /** `<service>-<id>` (as in `X-Instance-Id`), the `instance` label the registry's service discovery sets. */
  instance: string;
  points: Array<[number, number]>;
}

/** The server side of a load window, per instance. */
export interface ServerSeries {
  /** CPU used, in cores (1 = one core busy): the rate of `process_cpu_seconds_total`. */
  cpu: InstanceSeries[];
  /** Event-loop delay, in ms: the worst 99th percentile prom-client saw (`nodejs_eventloop_lag_p99_seconds`). */
  eventLoopLagMs: InstanceSeries[];
}

/** A time window to query, with its resolution and the window a rate is taken over. */
export interface SeriesWindow {
  fromMs: number;
  toMs: number;
  /** One point per `stepMs` (default 1000). */
  stepMs?: number;
  /** Range of `rate()` and `max_over_time()` (default 5000 ms). */
  rangeMs?: number;
  timeoutMs?: number;
}

interface MatrixAnswer {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
}

/**
 * Runs a range query (`/api/v1/query_range`) and returns one series per `instance` label, values times `scale`
 * (NaN and infinite samples are left out), sorted by instance name.
 */
export async function queryRangeByInstance(prometheusUrl: string, promql: string, window: SeriesWindow, scale = 1): Promise<InstanceSeries[]> {
  const step = (window.stepMs ?? 1000) / 1000;
  const body = new URLSearchParams({ query: promql, start: String(window.fromMs / 1000), end: String(window.toMs / 1000), step: String(step) });
  let answer: MatrixAnswer;
  try {
    const res = await fetch(`${prometheusUrl}/api/v1/query_range`, { method: 'POST', body, signal: AbortSignal.timeout(window.timeoutMs ?? 5000) });
    answer = (await res.json()) as MatrixAnswer;
  } catch (cause) {
    throw new EcomError('prometheus_unavailable', `Prometheus at ${prometheusUrl} did not answer a range query`, { cause });
  }
  if (answer.status !== 'success' || answer.data?.resultType !== 'matrix') {
    throw new EcomError('prometheus_unavailable', `Prometheus refused the query ${promql}: ${answer.error ?? answer.status}`);
  }
  return answer.data.result
    .map(({ metric, values }) => ({
      instance: metric.instance ?? 'unknown',
      points: values.map(([t, v]) => [Math.round(t * 1000), Number(v) * scale] as [number, number]).filter(([, v]) => Number.isFinite(v)),
    }))
    .sort((a, b) => a.instance.localeCompare(b.instance));
}

/** CPU (cores) and event-loop lag (ms) of every ecom instance Prometheus scraped during the window. */
export async function queryServerSeries(prometheusUrl: string, window: SeriesWindow): Promise<ServerSeries> {
  const range = `${window.rangeMs ?? 5000}ms`;
  const [cpu, eventLoopLagMs] = await Promise.all([
    queryRangeByInstance(prometheusUrl, `sum by (instance) (rate(process_cpu_seconds_total{job="ecom"}[${range}]))`, window),
    queryRangeByInstance(prometheusUrl, `max by (instance) (max_over_time(nodejs_eventloop_lag_p99_seconds{job="ecom"}[${range}]))`, window, 1000),
  ]);
  return { cpu, eventLoopLagMs };
}

/**
 * The server side of a load window for a cluster: undefined when its cluster file does not enable Prometheus;
 * throws `prometheus_unavailable` when it is enabled but does not answer. The rate range is at least three scrapes.
 */
export async function queryClusterServerSeries(cluster: ClusterConfig, window: Omit<SeriesWindow, 'rangeMs'>): Promise<ServerSeries | undefined> {
  if (!cluster.prometheus.enabled) return undefined;
  const scrapeMs = parseDuration(cluster.prometheus.scrapeInterval, 'prometheus.scrapeInterval');
  const rangeMs = Math.max(5000, 3 * scrapeMs, 2 * (window.stepMs ?? 1000));
  return queryServerSeries(httpUrl(cluster.host, cluster.prometheus.port), { ...window, rangeMs });
}
