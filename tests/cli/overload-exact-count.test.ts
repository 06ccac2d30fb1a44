import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOverloadCli } from '../helpers/run-overload-cli.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';

describe('ecom overload --target sends exactly the requests asked for', () => {
  let target: HttpTarget | undefined;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-overload-count-'));
  });
  afterEach(async () => {
    await target?.close();
    target = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [1, 1],
    [3, 10],
    [250, 16],
    [1000, 64],
  ])('-n %i --concurrency %i: the server saw exactly N, the report says N', async (n, c) => {
    const paths = new Set<string>();
    target = await startHttpTarget((req, res) => {
      paths.add(`${req.method} ${req.url}`);
      res.end('ok');
    });
    const file = join(dir, 'report.json');
    const res = await runOverloadCli(['--target', `${target.origin}/api/products/1?v=2`, '-n', String(n), '--concurrency', String(c), '--json', file]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(target.seen()).toBe(n);
    expect([...paths]).toEqual(['GET /api/products/1?v=2']);
    const report = JSON.parse(readFileSync(file, 'utf8'));
    expect(report.requests).toBe(n);
    expect(report.ok).toBe(n);
    expect(report.byStatus).toEqual({ '200': n });
  });

  it('--request_count is the long form of -n', async () => {
    target = await startHttpTarget();
    const res = await runOverloadCli(['--target', target.origin, '--request_count', '42', '--concurrency', '5', '--json', '-']);
    expect(res.code).toBe(0);
    expect(target.seen()).toBe(42);
    expect(JSON.parse(res.stdout).requests).toBe(42);
  });

  it('open model: --rate R --duration D sends R × D requests', async () => {
    target = await startHttpTarget();
    const res = await runOverloadCli(['--target', target.origin, '--rate', '120', '--duration', '1s', '--concurrency', '4', '--json', '-']);
    expect(res.code).toBe(0);
    expect(target.seen()).toBe(120);
    expect(JSON.parse(res.stdout).requests).toBe(120);
  });
});
