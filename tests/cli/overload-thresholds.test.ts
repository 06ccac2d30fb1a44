import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOverloadCli } from '../helpers/run-overload-cli.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';

describe('ecom overload --threshold exit codes', () => {
  let target: HttpTarget;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-overload-thresholds-'));
    // Every tenth request (0, 10, 20, …) answers 500: exactly 10 % errors over a multiple of ten requests.
    target = await startHttpTarget((_req, res, i) => {
      res.statusCode = i % 10 === 0 ? 500 : 200;
      res.end();
    });
  });
  afterEach(async () => {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 when every threshold holds', async () => {
    const res = await runOverloadCli([
      '--target',
      target.origin,
      '-n',
      '100',
      '--concurrency',
      '4',
      '--threshold',
      'p99<60000',
      '--threshold',
      'errors<=10%',
      '--threshold',
      'requests>=100',
    ]);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain('threshold ok     p99<60000');
    expect(res.stdout).toContain('threshold ok     errors<=10% (actual 10)');
  });

  it('exits 99 when one is crossed, naming it (and only it) on stderr; the report is still written', async () => {
    const file = join(dir, 'report.json');
    const res = await runOverloadCli([
      '--target',
      target.origin,
      '-n',
      '50',
      '--concurrency',
      '2',
      '--threshold',
      'rps>100000000',
      '--threshold',
      'p50<100000',
      '--json',
      file,
    ]);
    expect(res.code).toBe(99);
    expect(res.stderr).toContain('rps>100000000');
    expect(res.stderr).not.toContain('p50<100000');
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stdout).toContain('threshold FAILED rps>100000000');
    const report = JSON.parse(readFileSync(file, 'utf8'));
    expect(report.thresholds).toEqual([
      { expr: 'rps>100000000', ok: false, actual: report.rps },
      { expr: 'p50<100000', ok: true, actual: report.latencyMs.p50 },
    ]);
    expect(target.seen()).toBe(50);
  });

  it('takes errors<1% as a share of the requests: 10 % errors cross it (99), errors<=10% holds (0)', async () => {
    const crossed = await runOverloadCli(['--target', target.origin, '-n', '100', '--concurrency', '1', '--threshold', 'errors<1%']);
    expect(crossed.code).toBe(99);
    expect(crossed.stderr).toContain('errors<1% (actual 10)');
    target.reset();
    const held = await runOverloadCli(['--target', target.origin, '-n', '100', '--concurrency', '1', '--threshold', 'errors<=10%']);
    expect(held.code).toBe(0);
  });

  it.each(['p99<<5', 'p99<abc', 'foo<3', 'p99<5%', ''])('exits 2 on the malformed or unknown threshold "%s", before sending any request', async (expr) => {
    const res = await runOverloadCli(['--target', target.origin, '-n', '20', '--threshold', expr]);
    expect(res.code).toBe(2);
    const lines = res.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`--threshold "${expr}"`);
    expect(res.stdout).toBe('');
    expect(target.seen()).toBe(0);
  });
});
