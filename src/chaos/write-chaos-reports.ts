import { writeFileSync } from 'node:fs';
import { formatJunit } from '../overload/report/format-junit.js';
import { renderHtmlReport } from '../overload/report/render-html-report.js';
import type { ReportMarker } from '../overload/report/report-input.js';
import type { ChaosReport } from './run-chaos.js';

/** The faults that happened, as markers for the report's time charts (skipped ones did nothing to mark). */
export function faultMarkers(report: ChaosReport): ReportMarker[] {
  return report.faults.filter((f) => !f.skipped).map((f) => ({ atMs: f.atMs, endsAtMs: f.endsAtMs, kind: f.kind, target: f.target ?? '' }));
}

/** One line about a chaos run. */
function describeChaos(r: ChaosReport): string {
  return `${r.ok ? 'passed' : 'FAILED'} · seed ${r.seed} · ${r.rate} req/s of ${r.scenario} for ${r.durationMs / 1000} s · a fault every ${r.everyMs / 1000} s`;
}

/** What broke an invariant, one offending item per line (the first 20). */
const itemsText = (items: readonly unknown[] | undefined): string =>
  (items ?? [])
    .slice(0, 20)
    .map((item) => (typeof item === 'string' ? item : JSON.stringify(item)))
    .join('\n');

/** Writes `ecom chaos --html FILE` (fault markers on every time chart) and `--junit FILE` (each invariant a test case). */
export function writeChaosReports(files: { html?: string | undefined; junit?: string | undefined }, report: ChaosReport): void {
  const now = new Date().toISOString();
  const checks = report.invariants.map((i) => ({ name: i.name, ok: i.ok, detail: i.detail }));
  if (files.html) {
    const html = renderHtmlReport({
      title: 'ecom chaos',
      subtitle: describeChaos(report),
      generatedAt: now,
      load: report.load,
      checks,
      checksTitle: 'Invariants',
      markers: faultMarkers(report),
    });
    writeFileSync(files.html, html);
  }
  if (files.junit) {
    const suite = {
      name: 'ecom chaos',
      timeSec: report.load.durationMs / 1000,
      timestamp: now,
      properties: { seed: report.seed, scenario: report.scenario, rate: report.rate, faults: faultMarkers(report).length, requests: report.load.requests },
    };
    const cases = report.invariants.map((i) => ({
      name: i.name,
      classname: 'ecom.chaos.invariants',
      ok: i.ok,
      message: i.detail,
      detail: [i.detail, itemsText(i.items)].filter(Boolean).join('\n'),
    }));
    writeFileSync(files.junit, formatJunit(suite, cases));
  }
}
