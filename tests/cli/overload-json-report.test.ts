import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOverloadCli } from '../helpers/run-overload-cli.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';

/** The fields of DESIGN.md "Overload report", plus `cache` (responses by X-Cache-Status). */
const REPORT_KEYS = [
  'byStatus',
  'cache',
  'durationMs',
  'endpoints',
  'errors',
  'errorsByKind',
  'generator',
  'instances',
  'latencyMs',
  'ok',
  'requests',
  'retries',
  'rps',
  'spectrum',
  'startedAt',
  'thresholds',
  'timeline',
];

/** Request i: 200 when even, 500 when odd; instance a for i mod 4 in {0,1}, else b; MISS when i mod 3 = 0, else HIT. */
const controlled = () =>
  startHttpTarget((_req, res, i) => {
    res.statusCode = i % 2 === 0 ? 200 : 500;
    res.setHeader('X-Instance-Id', i % 4 < 2 ? 'product-a' : 'product-b');
    res.setHeader('X-Cache-Status', i % 3 === 0 ? 'MISS' : 'HIT');
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });

describe('ecom overload --json FILE writes the DESIGN report', () => {
  let target: HttpTarget | undefined;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-overload-json-'));
  });
  afterEach(async () => {
    await target?.close();
    target = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('has every field, with the right types and values, against a controlled server', async () => {
    target = await controlled();
    const file = join(dir, 'report.json');
    const res = await runOverloadCli([
      '--target',
      `${target.origin}/x`,
      '-n',
      '120',
      '--concurrency',
      '6',
      '--json',
      file,
      '--threshold',
      'p99<60000',
      '--threshold',
      'errors<=50%',
    ]);
    expect(res.code).toBe(0);
    const report = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(report).sort()).toEqual(REPORT_KEYS);
    expect(report).toMatchObject({ requests: 120, ok: 60, errors: 60, retries: 0 });
    expect(report.byStatus).toEqual({ '200': 60, '500': 60 });
    expect(report.errorsByKind).toEqual({ HTTP_500: 60 });
    expect(report.instances).toEqual({ 'product-a': 60, 'product-b': 60 });
    expect(report.cache).toEqual({ HIT: 80, MISS: 40 });
    expect(typeof report.rps).toBe('number');
    expect(report.rps).toBeGreaterThan(0);
    expect(Number.isInteger(report.durationMs)).toBe(true);
    expect(report.durationMs).toBeGreaterThan(0);
    // rps is requests over the run's duration (durationMs is rounded to the millisecond)
    expect(report.rps).toBeGreaterThanOrEqual((120 / (report.durationMs + 0.5)) * 1000 - 0.1);
    expect(report.rps).toBeLessThanOrEqual((120 / (report.durationMs - 0.5)) * 1000 + 0.1);
    const l = report.latencyMs;
    expect(Object.keys(l).sort()).toEqual(['max', 'mean', 'p50', 'p90', 'p99', 'p999']);
    expect(report.generator).toEqual({
      cpuPercent: expect.any(Number),
      eventLoopLagMs: { p50: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) },
      saturated: expect.any(Boolean),
    });
    for (const v of Object.values(l)) expect(typeof v).toBe('number');
    expect(l.p50).toBeGreaterThan(0);
    expect(l.p50).toBeLessThanOrEqual(l.p90);
    expect(l.p90).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.p999);
    expect(l.p999).toBeLessThanOrEqual(l.max);
    expect(l.mean).toBeGreaterThan(0);
    expect(l.mean).toBeLessThanOrEqual(l.max);
    expect(report.thresholds).toEqual([
      { expr: 'p99<60000', ok: true, actual: l.p99 },
      { expr: 'errors<=50%', ok: true, actual: 50 },
    ]);
  });

  it('has an empty thresholds array when none was given; errors alone do not fail the run', async () => {
    target = await controlled();
    const file = join(dir, 'report.json');
    const res = await runOverloadCli(['--target', target.origin, '-n', '10', '--concurrency', '1', '--json', file]);
    expect(res.code).toBe(0);
    const report = JSON.parse(readFileSync(file, 'utf8'));
    expect(report.thresholds).toEqual([]);
    expect(report.errors).toBe(5);
  });

  it('--json - prints only the report on stdout; the text output goes to stderr', async () => {
    target = await controlled();
    const res = await runOverloadCli(['--target', target.origin, '-n', '40', '--concurrency', '4', '--json', '-']);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout);
    expect(Object.keys(report).sort()).toEqual(REPORT_KEYS);
    expect(report.requests).toBe(40);
    expect(res.stderr).toContain('requests 40  ok 20  errors 20 (50%)');
  });
});
