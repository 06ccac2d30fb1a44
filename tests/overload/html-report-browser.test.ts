import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoadReport } from '../../src/overload/load-report.js';
import { runOverloadCli } from '../helpers/run-overload-cli.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';
import { openReportInChromium, readCharts, type OpenedReport } from './open-report-in-chromium.js';

/** Screenshots land here (gitignored) for a person to look at. */
const ARTIFACTS = resolve(import.meta.dirname, '../artifacts');

describe('ecom overload --html, opened in headless Chromium', () => {
  let target: HttpTarget | undefined;
  let opened: OpenedReport | undefined;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-html-'));
  });
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
    await target?.close();
    target = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('draws every chart with the run’s data, makes no request, logs no error; the JUnit file parses', async () => {
    // Three "instances", a cache, some 503s and some slow answers: every chart has something to show.
    target = await startHttpTarget((_req, res, index) => {
      res.setHeader('x-instance-id', `product-${1 + (index % 3)}`);
      res.setHeader('x-cache-status', index % 4 ? 'HIT' : 'MISS');
      res.statusCode = index % 25 === 0 ? 503 : 200;
      setTimeout(() => res.end('ok'), index % 40 === 0 ? 20 : 0);
    });
    const [html, junit, json] = ['report.html', 'junit.xml', 'report.json'].map((f) => join(dir, f)) as [string, string, string];
    const run = await runOverloadCli([
      '--target',
      `${target.origin}/api/products/1`,
      '--rate',
      '200',
      '--duration',
      '2500ms',
      '--concurrency',
      '8',
      '--threshold',
      'p99<5000',
      '--threshold',
      'errors<1%',
      '--html',
      html,
      '--junit',
      junit,
      '--json',
      json,
    ]);
    expect(run.stderr).toContain('thresholds crossed: errors<1%');
    expect(run.code).toBe(99);
    const report = JSON.parse(readFileSync(json, 'utf8')) as LoadReport;
    expect(report.timeline.length).toBeGreaterThanOrEqual(2);
    expect(report.timeline.reduce((n, p) => n + p.requests, 0)).toBe(report.requests);
    expect(report.endpoints.map((e) => e.name)).toEqual(['GET /api/products/1']);

    opened = await openReportInChromium(html);
    const { page } = opened;
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'overload-report.png'), fullPage: true });
    expect(opened.requests).toEqual([]);
    expect(opened.errors).toEqual([]);

    const charts = await readCharts(page);
    expect(charts.map((c) => c.id)).toEqual(['throughput', 'latency', 'errors', 'instances', 'cache', 'spectrum']);
    for (const chart of charts) {
      expect(chart.drawn, chart.id).toBe(true);
      for (const points of chart.points) expect(points, chart.id).toBeGreaterThan(0);
      // Lines or bars in the series' own colours are on the canvas, not just axes and grid.
      expect(Math.max(...chart.colorPixels), chart.id).toBeGreaterThan(20);
      expect(chart.faultPixels, `${chart.id}: no fault markers in an overload run`).toBe(0);
    }
    expect(charts.find((c) => c.id === 'instances')!.points).toHaveLength(3);
    const endpointRow = await page.locator('#endpoints tbody tr').first().innerText();
    expect(endpointRow).toContain('GET /api/products/1');
    expect(endpointRow).toContain(String(report.endpoints[0]!.requests.toLocaleString('en-US')));
    expect(await page.locator('#checks li').allInnerTexts()).toEqual([
      expect.stringMatching(/^✓ p99<5000 held/),
      expect.stringMatching(/^✗ errors<1% crossed/),
    ]);
    expect(await page.locator('#instances tbody tr').count()).toBe(3);

    // The JUnit file through a real XML parser: one test case per threshold, a failure in the crossed one.
    // (A string, evaluated in the page: the DOM's types are not part of this project's TypeScript setup.)
    const parsed = await page.evaluate(`(() => {
      const doc = new DOMParser().parseFromString(${JSON.stringify(readFileSync(junit, 'utf8'))}, 'application/xml');
      if (doc.querySelector('parsererror')) return { error: doc.querySelector('parsererror').textContent };
      const suite = doc.querySelector('testsuite');
      return {
        tests: suite.getAttribute('tests'),
        failures: suite.getAttribute('failures'),
        cases: [...doc.querySelectorAll('testcase')].map((c) => ({ name: c.getAttribute('name'), failure: c.querySelector('failure')?.getAttribute('message') ?? null })),
      };
    })()`);
    expect(parsed).toEqual({
      tests: '2',
      failures: '1',
      cases: [
        { name: 'p99<5000', failure: null },
        { name: 'errors<1%', failure: expect.stringMatching(/^errors<1% crossed: actual \d/) },
      ],
    });
  });
});
