import { writeFileSync } from 'node:fs';
import type { LoadReport } from '../load-report.js';
import type { LoadSnapshot } from '../load-snapshot.js';
import { formatJunit } from './format-junit.js';
import { renderHtmlReport } from './render-html-report.js';
import type { ReportCheck, ServerSeriesGroup } from './report-input.js';

/** Each threshold as a check: its expression, whether it held, and the actual value. */
export function thresholdChecks(report: LoadReport): ReportCheck[] {
  return report.thresholds.map((t) => ({ name: t.expr, ok: t.ok, detail: `${t.ok ? 'held' : 'crossed'}: actual ${t.actual}` }));
}

/** One line about an overload run: model, scenario, target. */
export function describeRun(s: LoadSnapshot): string {
  return `${s.model} model · ${s.scenario} · ${s.target} · ${s.completed} requests in ${(s.elapsedMs / 1000).toFixed(1)} s`;
}

/**
 * Writes `ecom overload --html FILE` and `--junit FILE` (each only when asked for); `serverSeries`, when a caller has
 * them (server-side metrics of the same window), become extra charts of the HTML report.
 */
export function writeOverloadReports(
  files: { html?: string | undefined; junit?: string | undefined },
  final: LoadSnapshot,
  report: LoadReport,
  extras: { serverSeries?: ServerSeriesGroup[] } = {},
): void {
  const checks = thresholdChecks(report);
  const now = new Date().toISOString();
  if (files.html) {
    const { thresholds: _thresholds, ...load } = report;
    writeFileSync(
      files.html,
      renderHtmlReport({ title: 'ecom overload', subtitle: describeRun(final), generatedAt: now, load, checks, checksTitle: 'Thresholds', ...extras }),
    );
  }
  if (files.junit) {
    const suite = {
      name: 'ecom overload',
      timeSec: final.elapsedMs / 1000,
      timestamp: now,
      properties: { target: final.target, scenario: final.scenario, model: final.model, requests: report.requests, errors: report.errors, rps: report.rps },
    };
    writeFileSync(
      files.junit,
      formatJunit(
        suite,
        checks.map((c) => ({ ...c, classname: 'ecom.overload.thresholds', message: `${c.name} ${c.detail}` })),
      ),
    );
  }
}
