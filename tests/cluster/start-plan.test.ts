import { describe, expect, it } from 'vitest';
import { runLevels, START_PLAN, startPlan, stopPlan, type PlanStep } from '../../src/cluster/start-plan.js';

describe('the start plan', () => {
  it('starts redis and the registry, then every service kind together, then nginx; stops in exactly the reverse order', () => {
    expect(START_PLAN).toEqual([['redis', 'iscs'], ['logger', 'user', 'product', 'order'], ['nginx']]);
    expect(stopPlan()).toEqual([['nginx'], ['logger', 'user', 'product', 'order'], ['redis', 'iscs']]);
    expect(START_PLAN[0]).toEqual(['redis', 'iscs']);
  });

  it('starting together puts every step in one level, Prometheus included, while the stop order stays by dependency', () => {
    const cluster = { prometheus: { enabled: true } };
    expect(startPlan(cluster, { together: true })).toEqual([['redis', 'iscs', 'logger', 'user', 'product', 'order', 'nginx', 'prometheus']]);
    expect(startPlan(cluster)).toEqual([
      ['redis', 'iscs'],
      ['logger', 'user', 'product', 'order'],
      ['nginx', 'prometheus'],
    ]);
    expect(stopPlan(startPlan(cluster))[0]).toEqual(['nginx', 'prometheus']);
  });

  it('runs the members of a level in parallel and a level only after the one before it is done', async () => {
    const log: string[] = [];
    const delays: Partial<Record<PlanStep, number>> = { user: 20, product: 5 };
    const levels: PlanStep[][] = [['nginx'], ['order'], ['user', 'product'], ['logger'], ['redis', 'iscs']];
    await runLevels(levels, async (step) => {
      log.push(`stop ${step}`);
      await new Promise((r) => setTimeout(r, delays[step] ?? 1));
      log.push(`down ${step}`);
    });
    expect(log).toEqual([
      'stop nginx',
      'down nginx',
      'stop order',
      'down order',
      'stop user',
      'stop product',
      'down product',
      'down user',
      'stop logger',
      'down logger',
      'stop redis',
      'stop iscs',
      'down redis',
      'down iscs',
    ]);
  });

  it('stops at the first level that fails', async () => {
    const started: PlanStep[] = [];
    const run = runLevels(START_PLAN, async (step) => {
      started.push(step);
      if (step === 'iscs') throw new Error('registry broke');
    });
    await expect(run).rejects.toThrow('registry broke');
    expect(started).toEqual(['redis', 'iscs']);
  });
});
