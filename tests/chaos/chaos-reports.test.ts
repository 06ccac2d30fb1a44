import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChaosReport } from '../../src/chaos/run-chaos.js';
import { faultMarkers, writeChaosReports } from '../../src/chaos/write-chaos-reports.js';
import { plainGetScenario } from '../../src/overload/build-scenario.js';
import { toReport } from '../../src/overload/load-report.js';
import { runLoad } from '../../src/overload/run-load.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';
import { openReportInChromium, readCharts, type OpenedReport } from '../overload/open-report-in-chromium.js';

const ARTIFACTS = resolve(import.meta.dirname, '../artifacts');

describe('ecom chaos --html and --junit', () => {
  let target: HttpTarget | undefined;
  let opened: OpenedReport | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'ecom-chaos-html-'));
  afterEach(async () => {
    await opened?.close();
    await target?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('marks each fault on every time chart, lists its impact, and writes each invariant as a JUnit test case', async () => {
    // A real engine run against a target that fails and slows down for half a second, as a paused instance would.
    let firstAt = 0;
    target = await startHttpTarget((_req, res, index) => {
      firstAt ||= Date.now();
      const t = Date.now() - firstAt;
      res.setHeader('x-instance-id', `product-${1 + (index % 2)}`);
      const hurt = t >= 800 && t < 1300;
      res.statusCode = hurt && index % 3 === 0 ? 502 : 200;
      setTimeout(() => res.end('ok'), hurt ? 40 : 0);
    });
    const final = await runLoad({
      origin: target.origin,
      scenario: plainGetScenario('/api/products/7'),
      concurrency: 8,
      rate: 150,
      durationMs: 2600,
      timeoutMs: 2000,
    });
    const report: ChaosReport = {
      ok: false,
      seed: 7,
      scenario: 'product',
      rate: 150,
      durationMs: 2600,
      everyMs: 1000,
      load: toReport(final),
      faults: [
        { kind: 'pause-instance', atMs: 800, endsAtMs: 1300, target: 'product-2' },
        { kind: 'kill-redis', atMs: 1500, endsAtMs: 1500, skipped: 'redis is not running' },
        { kind: 'reload-gateway', atMs: 1900, endsAtMs: 1900, target: 'nginx' },
      ],
      failures: [],
      invariants: [
        {
          name: 'failed requests',
          ok: false,
          detail: '9 of 390 requests failed',
          items: [{ atMs: 812, method: 'GET', path: '/api/products/7', error: 'HTTP_502 <&>' }],
        },
        { name: 'stock conservation', ok: true, detail: 'stock + sold = initial for 100 products' },
      ],
    };
    expect(faultMarkers(report).map((m) => m.kind)).toEqual(['pause-instance', 'reload-gateway']);
    const html = join(dir, 'chaos.html');
    const junit = join(dir, 'chaos.xml');
    writeChaosReports({ html, junit }, report);

    opened = await openReportInChromium(html);
    const { page } = opened;
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'chaos-report.png'), fullPage: true });
    expect(opened.requests).toEqual([]);
    expect(opened.errors).toEqual([]);
    const charts = await readCharts(page);
    expect(charts.map((c) => c.id)).toEqual(['throughput', 'latency', 'errors', 'instances', 'spectrum']);
    for (const chart of charts) {
      expect(chart.drawn, chart.id).toBe(true);
      expect(Math.max(...chart.colorPixels), chart.id).toBeGreaterThan(20);
      // Fault bands on the time charts; the spectrum has no time axis.
      if (chart.id === 'spectrum') expect(chart.faultPixels).toBe(0);
      else expect(chart.faultPixels, chart.id).toBeGreaterThan(20);
    }
    const rows = await page.locator('#faults tbody tr').allInnerTexts();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/pause-instance\s+product-2\s+0\.5s/);
    expect(rows[1]).toMatch(/reload-gateway\s+nginx\s+instant/);
    expect(await page.locator('#checks li').allInnerTexts()).toEqual([
      expect.stringMatching(/^✗ failed requests/),
      expect.stringMatching(/^✓ stock conservation/),
    ]);

    const parsed = await page.evaluate(`(() => {
      const doc = new DOMParser().parseFromString(${JSON.stringify(readFileSync(junit, 'utf8'))}, 'application/xml');
      if (doc.querySelector('parsererror')) return { error: doc.querySelector('parsererror').textContent };
      return [...doc.querySelectorAll('testcase')].map((c) => ({
        name: c.getAttribute('name'),
        classname: c.getAttribute('classname'),
        failure: c.querySelector('failure')?.textContent ?? null,
      }));
    })()`);
    expect(parsed).toEqual([
      { name: 'failed requests', classname: 'ecom.chaos.invariants', failure: expect.stringContaining('"error":"HTTP_502 <&>"') },
      { name: 'stock conservation', classname: 'ecom.chaos.invariants', failure: null },
    ]);
  });
});
