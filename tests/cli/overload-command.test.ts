import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECOM_BIN } from '../helpers/start-test-cluster.js';

const run = promisify(execFile);
const overload = (...args: string[]) =>
  run(process.execPath, [ECOM_BIN, 'overload', ...args], { timeout: 60_000 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('ecom overload (the built binary, not a terminal)', () => {
  let server: Server;
  let target: string;
  let seen = 0;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-overload-'));
    server = createServer((_req, res) => {
      seen++;
      res.setHeader('X-Instance-Id', `product-${(seen % 2) + 1}`);
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    target = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/products/1`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends exactly N requests and writes the DESIGN report', async () => {
    seen = 0;
    const file = join(dir, 'report.json');
    const res = await overload('--target', target, '--request_count', '750', '--concurrency', '16', '--json', file, '--threshold', 'p99<60000', '--threshold', 'errors<1%');
    expect(res.code).toBe(0);
    expect(seen).toBe(750);
    const report = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['requests', 'ok', 'errors', 'retries', 'byStatus', 'errorsByKind', 'rps', 'durationMs', 'latencyMs', 'instances', 'thresholds']));
    expect(report).toMatchObject({ requests: 750, ok: 750, errors: 0, retries: 0, byStatus: { '200': 750 }, errorsByKind: {} });
    expect(Object.keys(report.latencyMs).sort()).toEqual(['max', 'mean', 'p50', 'p90', 'p99', 'p999']);
    expect(report.instances['product-1'] + report.instances['product-2']).toBe(750);
    expect(report.rps).toBeGreaterThan(0);
    expect(report.thresholds).toEqual([
      { expr: 'p99<60000', ok: true, actual: expect.any(Number) },
      { expr: 'errors<1%', ok: true, actual: 0 },
    ]);
    expect(res.stdout).toContain('requests 750  ok 750  errors 0');
    expect(res.stdout).toMatch(/latency ms {2}p50 [\d.]+/);
    expect(res.stdout).toContain('instances   product-1');
  });

  it('exits 99 naming the crossed threshold', async () => {
    const res = await overload('--target', target, '-n', '50', '--threshold', 'rps>100000000', '--threshold', 'p50<100000');
    expect(res.code).toBe(99);
    expect(res.stderr).toContain('rps>100000000');
    expect(res.stderr).not.toContain('p50<100000');
    expect(res.stdout).toContain('threshold FAILED rps>100000000');
  });

  it('exits 2 before sending anything for a malformed or unknown threshold and bad flag combinations', async () => {
    seen = 0;
    for (const args of [
      ['--threshold', 'p99<<5'],
      ['--threshold', 'p99<abc'],
      ['--threshold', 'foo<3'],
      ['--threshold', 'p99<5%'],
      ['--rate', '10'],
      ['--rate', '10', '--duration', '1s', '--request_count', '5'],
      ['--request_count', '0'],
    ]) {
      const res = await overload('--target', target, ...args);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect(seen).toBe(0);
  });

  it('prints one line per second on a longer open-model run, then the summary', async () => {
    seen = 0;
    const res = await overload('--target', target, '--rate', '200', '--duration', '2500ms', '--concurrency', '8');
    expect(res.code).toBe(0);
    const progress = res.stdout.split('\n').filter((l) => /^\[\s*\d+s\]/.test(l));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(res.stdout).toContain('open model');
    expect(seen).toBe(500);
  });
});
