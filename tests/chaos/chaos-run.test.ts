import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChaosReport } from '../../src/chaos/run-chaos.js';
import { FAULT_KINDS } from '../../src/chaos/plan-faults.js';
import { ecom, runEcom } from '../helpers/run-ecom-cli.js';
import { writeClusterFile, type TestClusterFile } from '../helpers/write-cluster-file.js';
import { openReportInChromium, readCharts } from '../overload/open-report-in-chromium.js';

describe('ecom chaos against a live cluster', () => {
  let c: TestClusterFile;
  beforeAll(async () => {
    // Two instances of every kind a client waits on, so each can lose one without failing a request.
    c = await writeClusterFile({ product: 2, user: 2, logger: 1, order: 2 });
    await ecom('up', '-d', '-c', c.file);
    await ecom('seed', '--products', '30', '--users', '2', '-c', c.file);
  });
  afterAll(async () => {
    await runEcom(['down', '-c', c.file]);
    rmSync(c.dir, { recursive: true, force: true });
  });

  it('runs 20 s of mixed load with a fault every 2 s, every kind at least once, and every invariant holds', async () => {
    const html = join(c.dir, 'chaos.html');
    const junit = join(c.dir, 'chaos.xml');
    const res = await runEcom(
      [
        'chaos',
        '--duration',
        '20s',
        '--rate',
        '40',
        '--every',
        '2s',
        '--seed',
        '5',
        '--settle',
        '45s',
        '--json',
        '-',
        '--html',
        html,
        '--junit',
        junit,
        '-c',
        c.file,
      ],
      { timeoutMs: 150_000 },
    );
    const report = JSON.parse(res.stdout) as ChaosReport;
    const summary = report.invariants.map((i) => `${i.ok ? 'ok' : 'BROKEN'} ${i.name}: ${i.detail} ${JSON.stringify(i.items ?? [])}`).join('\n');
    expect(res.code, `${summary}\n${res.stderr}`).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.invariants.map((i) => i.name)).toEqual(['failed requests', 'stock conservation', 'orders', 'events', 'cluster afterwards']);
    const injected = report.faults.filter((f) => !f.skipped);
    expect(new Set(injected.map((f) => f.kind))).toEqual(new Set(FAULT_KINDS));
    expect(report.load.requests).toBe(800);
    expect(res.stderr).toMatch(/fault +\d+\.\ds kill-instance /);
    expect(res.stderr).toMatch(/chaos passed · seed 5/);

    // The timeline and endpoints of the real run; the HTML report marks every injected fault; the JUnit file lists
    // every invariant, none failed.
    expect(report.load.timeline.length).toBeGreaterThanOrEqual(20);
    expect(report.load.timeline.reduce((n, p) => n + p.requests, 0)).toBe(800);
    expect(report.load.endpoints.map((e) => e.name)).toEqual(expect.arrayContaining(['product', 'checkout']));
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testsuite name="ecom chaos" tests="5" failures="0"');
    expect(xml.match(/<testcase /g)).toHaveLength(5);
    const opened = await openReportInChromium(html);
    try {
      const artifacts = resolve(import.meta.dirname, '../artifacts');
      mkdirSync(artifacts, { recursive: true });
      await opened.page.screenshot({ path: join(artifacts, 'chaos-live-report.png'), fullPage: true });
      expect(opened.requests).toEqual([]);
      expect(opened.errors).toEqual([]);
      expect(await opened.page.locator('#faults tbody tr').count()).toBe(injected.length);
      for (const chart of (await readCharts(opened.page)).filter((c) => c.id !== 'spectrum')) expect(chart.faultPixels, chart.id).toBeGreaterThan(20);
    } finally {
      await opened.close();
    }
  });

  it('refuses bad usage with exit 2 before any load: a zero duration, an unknown fault, no room for a fault', async () => {
    for (const args of [
      ['--duration', '0s'],
      ['--faults', 'kill-instance,unplug-cable'],
      ['--duration', '4s', '--every', '3s'],
    ]) {
      const res = await runEcom(['chaos', ...args, '-c', c.file]);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr).toMatch(/^ecom: /);
    }
  });
});
