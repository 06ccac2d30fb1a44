import { afterEach, describe, expect, it } from 'vitest';
import { runOverloadCli } from '../helpers/run-overload-cli.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';

const PROGRESS =
  /^\[\s*(\d+)s\] (\d+)\/(\d+)\s+[\d.]+%  rps \d+  p50 [\d.]+ms  p99 [\d.]+ms  errors \d+  retries \d+( {2}\[generator saturated: cpu [\d.]+%, lag p99 [\d.]+ms\])?$/;

describe('ecom overload when stdout is not a terminal', () => {
  let target: HttpTarget | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  it('prints a line per second during a longer run, then the summary; no terminal escapes', async () => {
    target = await startHttpTarget((_req, res, i) => {
      res.setHeader('X-Instance-Id', i % 2 ? 'product-2' : 'product-1');
      res.end('ok');
    });
    const res = await runOverloadCli(['--target', `${target.origin}/api/products/1`, '--rate', '100', '--duration', '3500ms', '--concurrency', '4']);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(res.stdout).not.toContain('\x1b[');
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`overload get against ${target.origin}`);
    const progress = lines.filter((l) => l.startsWith('['));
    // One line a second of a 3.5 s run: at 1, 2 and 3 s (maybe one more while the last responses arrive).
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.length).toBeLessThanOrEqual(4);
    const parsed = progress.map((l) => {
      const m = PROGRESS.exec(l);
      expect(m, l).not.toBeNull();
      return { second: Number(m![1]), done: Number(m![2]), planned: Number(m![3]) };
    });
    parsed.forEach((p, i) => {
      expect(p.second).toBe(i + 1);
      expect(p.planned).toBe(350);
      if (i > 0) expect(p.done).toBeGreaterThanOrEqual(parsed[i - 1]!.done);
    });
    const summary = lines.slice(lines.indexOf(progress.at(-1)!) + 1);
    expect(summary[0]).toBe(`open model · get · ${target.origin}`);
    expect(summary).toContain('requests 350  ok 350  errors 0 (0%)  retries 0');
    expect(summary.some((l) => /^throughput [\d.]+ req\/s over [\d.]+ s$/.test(l))).toBe(true);
    expect(summary.some((l) => /^latency ms {2}p50 [\d.]+ {2}p90 [\d.]+ {2}p99 [\d.]+ {2}p99\.9 [\d.]+ {2}max [\d.]+ {2}mean [\d.]+$/.test(l))).toBe(true);
    expect(summary).toContain('status      200×350');
    expect(summary).toContain('instances   product-1 50%  product-2 50%');
    expect(target.seen()).toBe(350);
  });

  it('prints the summary alone after a run shorter than a second', async () => {
    target = await startHttpTarget();
    const res = await runOverloadCli(['--target', target.origin, '-n', '30', '--concurrency', '3']);
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines[1]).toBe(`closed model · get · ${target.origin}`);
    expect(lines).toContain('requests 30  ok 30  errors 0 (0%)  retries 0');
    expect(lines).toContain('status      200×30');
  });

  it.each([
    ['--rate without --duration', ['--rate', '10']],
    ['--duration without --rate', ['--duration', '2s']],
    ['--request_count with --rate', ['--rate', '10', '--duration', '1s', '--request_count', '5']],
    ['-n with the open model', ['-n', '5', '--rate', '10', '--duration', '1s']],
    ['a malformed --duration', ['--rate', '10', '--duration', 'abc']],
    ['a malformed --timeout', ['-n', '5', '--timeout', 'soon']],
    ['--request_count 0', ['--request_count', '0']],
    ['--concurrency 0', ['--concurrency', '0']],
    ['an https target', []],
  ])('exits 2 with one line on stderr on bad usage: %s', async (what, args) => {
    target = await startHttpTarget();
    const targetArgs = what === 'an https target' ? ['--target', 'https://127.0.0.1:1/'] : ['--target', target.origin];
    const res = await runOverloadCli([...targetArgs, ...args]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^ecom: /);
    expect(res.stdout).toBe('');
    expect(target.seen()).toBe(0);
  });
});
