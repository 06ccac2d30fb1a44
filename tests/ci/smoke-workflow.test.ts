import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
}
interface Workflow {
  on: unknown;
  jobs: Record<string, { 'runs-on': string; steps: Step[] }>;
}

const workflow = parse(readFileSync(resolve(import.meta.dirname, '../../.github/workflows/ecom-smoke.yml'), 'utf8')) as Workflow;
const steps = Object.values(workflow.jobs)[0]!.steps;
const runs = steps.map((s) => s.run ?? '');
const indexOf = (pattern: RegExp): number => runs.findIndex((r) => pattern.test(r));

describe('the CI smoke workflow', () => {
  it('is one job on a Linux runner that runs on pushes and pull requests', () => {
    expect(Object.keys(workflow.jobs)).toHaveLength(1);
    expect(Object.values(workflow.jobs)[0]!['runs-on']).toMatch(/ubuntu/);
    expect(workflow.on).toMatchObject({ push: null, pull_request: null });
  });

  it('installs nginx and redis-server, builds the binary, then up, seed, overload with thresholds, down — in that order', () => {
    const order = [
      /apt-get install[^\n]*nginx[^\n]*redis-server/,
      /npm run build:binary/,
      /dist\/ecom up -d/,
      /dist\/ecom seed/,
      /dist\/ecom overload/,
      /dist\/ecom down/,
    ].map(indexOf);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('gates on thresholds (so a crossed one exits 99 and fails the step) and always takes the cluster down', () => {
    const overload = runs[indexOf(/dist\/ecom overload/)]!;
    expect(overload.match(/--threshold "[^"]+"/g)?.length).toBeGreaterThanOrEqual(2);
    expect(overload).not.toMatch(/\|\|\s*true/);
    expect(steps[indexOf(/dist\/ecom down/)]!.if).toBe('always()');
  });
});
