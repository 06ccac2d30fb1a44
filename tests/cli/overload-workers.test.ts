import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ECOM_BIN } from '../helpers/run-ecom-cli.js';
import { runOverloadCli } from '../helpers/run-overload-cli.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';

describe('ecom overload --workers N', () => {
  let target: HttpTarget | undefined;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-overload-workers-'));
  });
  afterEach(async () => {
    await target?.close();
    target = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('--workers 2 -n 3001: the server saw exactly N, and every count and histogram total of the report is N', async () => {
    target = await startHttpTarget();
    const file = join(dir, 'report.json');
    const res = await runOverloadCli(['--target', `${target.origin}/w`, '-n', '3001', '--concurrency', '20', '--workers', '2', '--json', file]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout.split('\n')[0]).toBe(`overload get against ${target.origin} (2 worker threads)`);
    expect(res.stdout).toContain('requests 3001');
    expect(target.seen()).toBe(3001);
    const report = JSON.parse(readFileSync(file, 'utf8'));
    expect(report).toMatchObject({ requests: 3001, ok: 3001, errors: 0, byStatus: { '200': 3001 } });
    expect(report.endpoints.map((e: { name: string; requests: number }) => [e.name, e.requests])).toEqual([['GET /w', 3001]]);
    expect(report.timeline.reduce((sum: number, t: { requests: number }) => sum + t.requests, 0)).toBe(3001);
    expect(report.latencyMs.p50).toBeGreaterThan(0);
    expect(report.generator.cpuPercent).toBeGreaterThan(0);
  });

  it('refuses --workers 0 before any request', async () => {
    target = await startHttpTarget();
    const res = await runOverloadCli(['--target', target.origin, '-n', '10', '--workers', '0']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--workers: expected an integer from 1 to 64, got "0"/);
    expect(target.seen()).toBe(0);
  });

  it('Ctrl-C stops every worker thread: the run ends at once with exit 130 and a summary of what completed', async () => {
    target = await startHttpTarget();
    const child = spawn(process.execPath, [ECOM_BIN, 'overload', '--target', target.origin, '-n', '100000000', '--concurrency', '8', '--workers', '2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    // Once the first per-second line is out, the threads are sending.
    while (!/^\[ +1s\]/m.test(stdout)) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(killer);
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted after \d+ requests/);
    const sent = target.seen();
    expect(sent).toBeGreaterThan(0);
    expect(stdout).toContain(`requests ${sent}`);
  });
});
