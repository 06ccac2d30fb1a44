import { downsampleTimeline, type TimelineColumns } from './downsample-timeline.js';
import { measureMarkerImpact, type MarkerImpact } from './measure-marker-impact.js';
import type { HtmlReportInput, ReportCheck, ServerSeriesGroup } from './report-input.js';

/** What the report page's script draws (templates/report/report.js reads it from the page). */
export interface ReportData {
  title: string;
  subtitle: string;
  generatedAt: string;
  summary: Pick<HtmlReportInput['load'], 'requests' | 'ok' | 'errors' | 'retries' | 'rps' | 'durationMs' | 'latencyMs' | 'byStatus' | 'errorsByKind' | 'cache'>;
  checksTitle: string;
  checks: ReportCheck[];
  timeline: TimelineColumns;
  /** Percentile (0–100) and latency (ms) columns of the HdrHistogram spectrum. */
  spectrum: { percentile: number[]; latencyMs: number[] };
  instanceTotals: Record<string, number>;
  endpoints: HtmlReportInput['load']['endpoints'];
  markers: Array<{ atS: number; endS: number; kind: string; target: string; impact: MarkerImpact }>;
  serverSeries: Array<{ title: string; unit: string; time: number[]; series: Array<{ label: string; values: Array<number | null> }> }>;
}

/** Server series on one shared time column (seconds), values missing at a time become null (a gap). */
function alignServerSeries(group: ServerSeriesGroup): ReportData['serverSeries'][number] {
  const time = [...new Set(group.series.flatMap((s) => s.points.map(([at]) => at)))].sort((a, b) => a - b);
  return {
    title: group.title,
    unit: group.unit,
    time: time.map((ms) => Math.round(ms / 100) / 10),
    series: group.series.map((s) => {
      const at = new Map(s.points);
      return { label: s.label, values: time.map((ms) => at.get(ms) ?? null) };
    }),
  };
}

/** Turns the report input into the page's data: downsampled columns, fault impacts, aligned server series. */
export function buildReportData(input: HtmlReportInput, maxPoints = 300): ReportData {
  const { load } = input;
  const markers = input.markers ?? [];
  const impacts = measureMarkerImpact(load.timeline, markers);
  return {
    title: input.title,
    subtitle: input.subtitle,
    generatedAt: input.generatedAt,
    summary: {
      requests: load.requests,
      ok: load.ok,
      errors: load.errors,
      retries: load.retries,
      rps: load.rps,
      durationMs: load.durationMs,
      latencyMs: load.latencyMs,
      byStatus: load.byStatus,
      errorsByKind: load.errorsByKind,
      cache: load.cache,
    },
    checksTitle: input.checksTitle,
    checks: input.checks,
    timeline: downsampleTimeline(load.timeline, maxPoints),
    spectrum: { percentile: load.spectrum.map((p) => p.percentile), latencyMs: load.spectrum.map((p) => p.latencyMs) },
    instanceTotals: load.instances,
    endpoints: load.endpoints,
    markers: markers.map((m, i) => ({ atS: m.atMs / 1000, endS: m.endsAtMs / 1000, kind: m.kind, target: m.target, impact: impacts[i]! })),
    serverSeries: (input.serverSeries ?? []).map(alignServerSeries),
  };
}
