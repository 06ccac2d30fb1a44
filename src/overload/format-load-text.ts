import { formatEndpointTable } from './format-endpoint-table.js';
import type { LoadReport } from './load-report.js';
import type { LoadSnapshot } from './load-snapshot.js';
import { SATURATED_WARNING, type GeneratorLoad } from './sample-generator-load.js';

const pct = (part: number, whole: number): string => (whole === 0 ? '0%' : `${Math.round((part / whole) * 1000) / 10}%`);

/** One plain progress line per second (for pipes, files and CI logs). */
export function formatProgressLine(s: LoadSnapshot): string {
  const secs = `${Math.round(s.elapsedMs / 1000)}s`.padStart(4);
  const count = s.planned ? `${s.completed}/${s.planned} ${pct(s.completed, s.planned).padStart(5)}` : `${s.completed}`;
  const line = `[${secs}] ${count}  rps ${s.currentRps}  p50 ${s.latencyMs.p50}ms  p99 ${s.latencyMs.p99}ms  errors ${s.errors}  retries ${s.retries}`;
  return s.generatorNow.saturated ? `${line}  [generator saturated: cpu ${s.generatorNow.cpuPercent}%, lag p99 ${s.generatorNow.eventLoopLagMs.p99}ms]` : line;
}

/** The generator's own load, and the warning when it was the bottleneck. */
export function formatGenerator(load: GeneratorLoad): string[] {
  const { p50, p99, max } = load.eventLoopLagMs;
  const line = `generator   cpu ${load.cpuPercent}% of a core  event-loop lag ms p50 ${p50}  p99 ${p99}  max ${max}`;
  return load.saturated ? [line, SATURATED_WARNING] : [line];
}

/** The closing summary of a run, with threshold verdicts. */
export function formatSummary(s: LoadSnapshot, report: LoadReport): string {
  const lines = [
    `${s.model === 'open' ? 'open model' : 'closed model'} · ${s.scenario} · ${s.target}`,
    `requests ${report.requests}  ok ${report.ok}  errors ${report.errors} (${pct(report.errors, report.requests)})  retries ${report.retries}`,
    `throughput ${report.rps} req/s over ${(report.durationMs / 1000).toFixed(2)} s`,
    `latency ms  p50 ${report.latencyMs.p50}  p90 ${report.latencyMs.p90}  p99 ${report.latencyMs.p99}  p99.9 ${report.latencyMs.p999}  max ${report.latencyMs.max}  mean ${report.latencyMs.mean}`,
    `status      ${
      Object.entries(report.byStatus)
        .map(([k, v]) => `${k}×${v}`)
        .join('  ') || '-'
    }`,
  ];
  if (Object.keys(report.errorsByKind).length)
    lines.push(
      `errors      ${Object.entries(report.errorsByKind)
        .map(([k, v]) => `${k}×${v}`)
        .join('  ')}`,
    );
  if (Object.keys(report.instances).length) {
    lines.push(
      `instances   ${Object.entries(report.instances)
        .sort()
        .map(([k, v]) => `${k} ${pct(v, report.requests)}`)
        .join('  ')}`,
    );
  }
  const hits = report.cache.HIT ?? 0;
  const cacheTotal = Object.values(report.cache).reduce((a, b) => a + b, 0);
  if (cacheTotal)
    lines.push(
      `gateway cache hit ratio ${pct(hits, cacheTotal)} (${Object.entries(report.cache)
        .map(([k, v]) => `${k}×${v}`)
        .join(' ')})`,
    );
  lines.push(...formatGenerator(report.generator));
  lines.push(...formatEndpointTable(report.endpoints).map((row) => `  ${row}`));
  for (const t of report.thresholds) lines.push(`threshold ${t.ok ? 'ok    ' : 'FAILED'} ${t.expr} (actual ${t.actual})`);
  return `${lines.join('\n')}\n`;
}
