// Benchmark: how long headless Chromium takes to open the HTML report of a 10-minute run, and how many requests the
// page makes. The 600-second run is synthesised through the engine's own collector (collectLoadStats: 200 outcomes a
// second over 5 endpoints and 6 instances, a stall and an error burst, 20 chaos faults) and rendered by the same
// builder `ecom overload --html` uses. Each round opens the report and, as a reference, a blank page, in the same
// fresh browser; the time is from navigation to the page's own "every chart drawn" flag. Goals: report ≤ 1 s,
// 0 requests. Not a test: never fails on a missed goal.
// Usage: npm run build && node bench/html-report-open.mjs [rounds]
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { median, runBenchmark } from './lib/bench-kit.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { collectLoadStats } = await import(join(root, 'dist/overload/collect-load-stats.js'));
const { toReport } = await import(join(root, 'dist/overload/load-report.js'));
const { renderHtmlReport } = await import(join(root, 'dist/overload/report/render-html-report.js'));
const rounds = Number(process.argv[2] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'ecom-bench-report-'));

/** A 10-minute mixed run, second by second, through the engine's collector. */
function synthesiseRun() {
  const stats = collectLoadStats({ target: 'http://127.0.0.1:8080', scenario: 'mix', model: 'open', planned: 120_000 });
  const endpoints = ['product', 'product', 'product', 'list', 'search', 'checkout'];
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  for (let second = 1; second <= 600; second++) {
    const stall = second >= 300 && second < 305;
    const burst = second >= 420 && second < 424;
    for (let i = 0; i < 200; i++) {
      const latencyUs = (stall ? 400_000 : 800) + random() * (random() < 0.01 ? 80_000 : 4000);
      const outcome =
        burst && i % 5 === 0
          ? { kind: 'failure', error: 'ECONNRESET', latencyUs }
          : { kind: 'response', status: 200, latencyUs, instance: `product-${1 + (i % 6)}`, cache: i % 4 ? 'HIT' : 'MISS' };
      stats.record(outcome, endpoints[i % endpoints.length]);
    }
    stats.snapshot({ final: false, elapsedMs: second * 1000, etaMs: null });
  }
  return stats.snapshot({ final: true, elapsedMs: 600_000, etaMs: 0 });
}

async function openOnce(context, file) {
  const url = pathToFileURL(file).href;
  const page = await context.newPage();
  let requests = 0;
  page.on('request', (req) => {
    if (req.url() !== url) requests++;
  });
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  const started = performance.now();
  await page.goto(url);
  await page.waitForFunction(() => window.ecomReport?.ready === true || document.title === 'blank');
  const wallMs = performance.now() - started;
  // Navigation start to the page's flag (to the end of its load event for the blank page), as the page measured it.
  const pageMs = await page.evaluate(() => window.ecomReport?.readyAtMs ?? performance.getEntriesByType('navigation')[0].loadEventEnd);
  await page.close();
  return { wallMs, pageMs, requests, errors };
}

async function main() {
  const final = synthesiseRun();
  const faults = Array.from({ length: 20 }, (_, i) => ({
    atMs: 30_000 * (i + 1) - 10_000,
    endsAtMs: 30_000 * (i + 1) - 8000,
    kind: 'pause-instance',
    target: `product-${1 + (i % 6)}`,
  }));
  const html = renderHtmlReport({
    title: 'ecom chaos',
    subtitle: 'synthesised 10-minute run',
    generatedAt: new Date().toISOString(),
    load: toReport(final),
    checks: [{ name: 'failed requests', ok: false, detail: 'synthesised' }],
    checksTitle: 'Invariants',
    markers: faults,
  });
  const report = join(dir, 'report.html');
  const blank = join(dir, 'blank.html');
  writeFileSync(report, html);
  writeFileSync(blank, '<!doctype html><title>blank</title><p>blank');
  console.log(`report of a 600 s run: ${final.timeline.length} timeline entries, ${(statSync(report).size / 1024).toFixed(0)} KiB`);

  const results = { report: [], blank: [] };
  let requests = 0;
  const errors = [];
  for (let r = 0; r < rounds; r++) {
    const profile = mkdtempSync(join(dir, 'profile-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1400, height: 1000 },
    });
    try {
      // Alternate which page goes first so neither always gets the warm-up.
      const order = r % 2 ? ['blank', 'report'] : ['report', 'blank'];
      for (const which of order) {
        const res = await openOnce(context, which === 'report' ? report : blank);
        results[which].push(res);
        if (which === 'report') {
          requests += res.requests;
          errors.push(...res.errors);
        }
      }
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }
  const m = (which, key) => median(results[which].map((x) => x[key]));
  console.log(
    `report: median ${m('report', 'wallMs').toFixed(0)} ms from goto to every chart drawn (page's own clock ${m('report', 'pageMs').toFixed(0)} ms), ${rounds} rounds`,
  );
  console.log(`blank page, same browser: median ${m('blank', 'wallMs').toFixed(0)} ms (page's own clock ${m('blank', 'pageMs').toFixed(0)} ms)`);
  console.log(`ratio report / blank (wall): ${(m('report', 'wallMs') / m('blank', 'wallMs')).toFixed(2)}`);
  console.log(`requests made by the report: ${requests} · page errors: ${errors.length ? errors.join('; ') : 'none'}`);
  console.log(`goal: ≤ 1000 ms and 0 requests → ${m('report', 'wallMs') <= 1000 && requests === 0 ? 'met' : 'NOT met'}`);
}

runBenchmark(main, () => rmSync(dir, { recursive: true, force: true }));
