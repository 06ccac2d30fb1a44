import { setTimeout as sleep } from 'node:timers/promises';
import { parseDuration } from '../common/parse-duration.js';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { queryClusterServerSeries } from '../cluster/query-prometheus.js';
import type { LoadSnapshot } from './load-snapshot.js';
import { serverSeriesGroup, type ServerSeriesGroup } from './report/report-input.js';

/**
 * The server side of a finished run for the HTML report, when the cluster runs Prometheus: CPU and event-loop lag per
 * instance over the run's window (after one more scrape, so its last second is in). An empty list when Prometheus is
 * off; a failed query is reported through `warn` and leaves the report without these charts, never the run failed.
 */
export async function queryServerSide(cluster: ClusterConfig, final: LoadSnapshot, warn: (line: string) => void): Promise<ServerSeriesGroup[]> {
  if (!cluster.prometheus.enabled) return [];
  try {
    await sleep(parseDuration(cluster.prometheus.scrapeInterval, 'prometheus.scrapeInterval') + 250);
    const series = await queryClusterServerSeries(cluster, { fromMs: final.startedAtMs, toMs: final.startedAtMs + final.elapsedMs });
    if (!series) return [];
    const group = (title: string, unit: string, list: typeof series.cpu): ServerSeriesGroup =>
      serverSeriesGroup(
        title,
        unit,
        list.map((s) => ({ label: s.instance, points: s.points })),
        final.startedAtMs,
      );
    return [group('CPU per instance (Prometheus)', 'cores', series.cpu), group('Event-loop lag p99 per instance (Prometheus)', 'ms', series.eventLoopLagMs)];
  } catch (err) {
    warn(`ecom: the HTML report has no server-side charts: ${(err as Error).message}`);
    return [];
  }
}
