import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** What opening a report in headless Chromium showed. */
export interface OpenedReport {
  page: Page;
  /** Every request the page made besides loading the report file itself (must stay empty). */
  requests: string[];
  /** Console errors and uncaught page errors. */
  errors: string[];
  /** Milliseconds from `goto` until the page's script said it drew everything. */
  openMs: number;
  close(): Promise<void>;
}

/** The charts the page says it drew: data points per series, and canvas pixels per series colour (and fault colour). */
export interface DrawnChart {
  id: string;
  drawn: boolean;
  points: number[];
  colorPixels: number[];
  faultPixels: number;
}

/** Debian's chromium, headless, isolated: no network features, a fresh profile; every request is blocked and counted. */
export async function openReportInChromium(file: string, viewport = { width: 1400, height: 1000 }): Promise<OpenedReport> {
  const profile = mkdtempSync(join(tmpdir(), 'ecom-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
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
      viewport,
    });
    const url = pathToFileURL(file).href;
    const requests: string[] = [];
    const errors: string[] = [];
    await context.route('**/*', (route) => {
      if (route.request().url() === url) return route.continue();
      requests.push(route.request().url());
      return route.abort();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (req) => {
      if (req.url() !== url && !requests.includes(req.url())) requests.push(req.url());
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));
    const started = performance.now();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => (globalThis as unknown as { ecomReport?: { ready: boolean } }).ecomReport?.ready === true, undefined, { timeout: 10_000 });
    const openMs = performance.now() - started;
    const ctx = context;
    return {
      page,
      requests,
      errors,
      openMs,
      async close() {
        await ctx.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
}

/** Reads back each chart: whether uPlot drew it, its data points per series, and its canvas pixels in each colour. */
export function readCharts(page: Page, faultColor = '#c026d3'): Promise<DrawnChart[]> {
  return page.evaluate((faultColor) => {
    type Info = { id: string; drawn: boolean; series: Array<{ color: string; points: number }> };
    type Canvas = {
      width: number;
      height: number;
      getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
    };
    const page = globalThis as unknown as { ecomReport: { charts: Info[] }; document: { querySelector(selector: string): Canvas | null } };
    const infos = page.ecomReport.charts;
    const rgb = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    return infos.map((info) => {
      const canvas = page.document.querySelector(`figure[data-chart="${info.id}"] canvas`);
      const pixels = canvas ? canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data : new Uint8ClampedArray();
      const count = (hex: string): number => {
        const [r, g, b] = rgb(hex);
        let n = 0;
        for (let i = 0; i < pixels.length; i += 4) {
          if (pixels[i + 3]! > 200 && Math.abs(pixels[i]! - r!) < 24 && Math.abs(pixels[i + 1]! - g!) < 24 && Math.abs(pixels[i + 2]! - b!) < 24) n++;
        }
        return n;
      };
      return {
        id: info.id,
        drawn: info.drawn,
        points: info.series.map((s) => s.points),
        colorPixels: info.series.map((s) => count(s.color)),
        faultPixels: count(faultColor),
      };
    });
  }, faultColor);
}
