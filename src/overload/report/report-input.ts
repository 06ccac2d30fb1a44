import type { LoadReport } from '../load-report.js';

/** Something that happened during the run, drawn as a band on every time chart (the faults of `ecom chaos`). */
export interface ReportMarker {
  /** Milliseconds since the first measured request. */
  atMs: number;
  /** Until when it lasted (equal to `atMs` for an instant event). */
  endsAtMs: number;
  /** e.g. `kill-instance` */
  kind: string;
  /** e.g. `product-2`; empty when it has none. */
  target: string;
}

/** A pass/fail verdict shown in the report and written as a JUnit test case (a threshold, a chaos invariant). */
export interface ReportCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * Series measured on the server side during the same window (e.g. CPU and event-loop lag per instance, from
 * Prometheus): each group is drawn as one more time chart when present. Times are milliseconds since the first
 * measured request, like the timeline.
 */
export interface ServerSeriesGroup {
  title: string;
  unit: string;
  series: Array<{ label: string; points: Array<[atMs: number, value: number]> }>;
}

/** Everything the HTML report shows; built from the JSON report, so any generator of that format can feed it. */
export interface HtmlReportInput {
  /** `ecom overload` or `ecom chaos`. */
  title: string;
  /** One line about the run: scenario, model, target, seed... */
  subtitle: string;
  generatedAt: string;
  load: Omit<LoadReport, 'thresholds'>;
  checks: ReportCheck[];
  /** The heading of the checks section: `Thresholds` or `Invariants`. */
  checksTitle: string;
  markers?: ReportMarker[];
  serverSeries?: ServerSeriesGroup[];
}

/**
 * A server-side group from samples stamped with the wall clock (`[ms since the epoch, value]`, as Prometheus gives
 * them), put on the timeline's clock: `startedAtMs` is the snapshot's (the report's `startedAt`).
 */
export function serverSeriesGroup(
  title: string,
  unit: string,
  series: ReadonlyArray<{ label: string; points: ReadonlyArray<readonly [number, number]> }>,
  startedAtMs: number,
): ServerSeriesGroup {
  return { title, unit, series: series.map((s) => ({ label: s.label, points: s.points.map(([at, v]) => [at - startedAtMs, v] as [number, number]) })) };
}
