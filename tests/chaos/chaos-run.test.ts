import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChaosReport } from '../../src/chaos/run-chaos.js';
import { FAULT_KINDS } from '../../src/chaos/plan-faults.js';
import { ecom, runEcom } from '../helpers/run-ecom-cli.js';
import { writeClusterFile, type TestClusterFile } from '../helpers/write-cluster-file.js';

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
    const res = await runEcom(['chaos', '--duration', '20s', '--rate', '40', '--every', '2s', '--seed', '5', '--settle', '45s', '--json', '-', '-c', c.file], {
      timeoutMs: 150_000,
    });
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
