import { describe, expect, it } from 'vitest';
import { faultableInstances, injectFault, type FaultEffects, type FaultProcess } from '../../src/chaos/inject-fault.js';

const proc = (service: string, id: number | null, pid: number, health = 'healthy'): FaultProcess => ({
  service,
  id,
  pid,
  port: 5000 + pid,
  health,
});
const cluster = [
  proc('redis', null, 10),
  proc('iscs', null, 11),
  proc('product', 1, 21),
  proc('product', 2, 22),
  proc('user', 3, 23),
  proc('logger', 4, 24),
  proc('nginx', null, 30),
];

function recorder() {
  const calls: string[] = [];
  const later: Array<() => void> = [];
  const effects: FaultEffects = {
    signal: (pid, signal) => void calls.push(`${signal} ${pid}`),
    slowDown: async (url, latencyMs, forMs) => void calls.push(`slow ${url} ${latencyMs} ${forMs}`),
    later: (_ms, then) => void later.push(then),
  };
  return { calls, later, effects };
}
const timings = { pauseMs: 2000, slowMs: 3000, latencyMs: 300 };

describe('injecting a fault', () => {
  it('hits only healthy instances of a kind that has another healthy one, or the logger', () => {
    expect(faultableInstances(cluster).map((p) => `${p.service}-${p.id}`)).toEqual(['product-1', 'product-2', 'logger-4']);
    expect(faultableInstances([...cluster.slice(0, 3), proc('product', 2, 22, 'starting')]).map((p) => p.id)).toEqual([]);
  });

  it('sends the signal each kind stands for, to the process it names', async () => {
    const expectations: Array<[Parameters<typeof injectFault>[0]['kind'], string]> = [
      ['kill-instance', 'SIGKILL 21'],
      ['term-instance', 'SIGTERM 21'],
      ['kill-redis', 'SIGKILL 10'],
      ['restart-registry', 'SIGTERM 11'],
      ['reload-gateway', 'SIGHUP 30'],
    ];
    for (const [kind, call] of expectations) {
      const r = recorder();
      const fault = await injectFault({ kind, pick: 0, atMs: 100, processes: cluster, host: '127.0.0.1', effects: r.effects, timings });
      expect(r.calls).toEqual([call]);
      expect(fault).toMatchObject({ kind, atMs: 100, endsAtMs: 100 });
    }
  });

  it('pauses with SIGSTOP and resumes with SIGCONT later; slows down through the instance URL', async () => {
    const r = recorder();
    const paused = await injectFault({
      kind: 'pause-instance',
      pick: 0.5,
      atMs: 0,
      processes: cluster,
      host: '127.0.0.1',
      effects: r.effects,
      timings,
    });
    expect(paused).toMatchObject({ target: 'product-2', endsAtMs: 2000 });
    expect(r.calls).toEqual(['SIGSTOP 22']);
    r.later.forEach((f) => f());
    expect(r.calls).toEqual(['SIGSTOP 22', 'SIGCONT 22']);
    const s = recorder();
    await injectFault({ kind: 'slow-instance', pick: 0.99, atMs: 0, processes: cluster, host: '127.0.0.1', effects: s.effects, timings });
    expect(s.calls).toEqual(['slow http://127.0.0.1:5024 300 3000']);
  });

  it('is skipped, saying why, when no instance may be hit', async () => {
    const r = recorder();
    const fault = await injectFault({
      kind: 'kill-instance',
      pick: 0,
      atMs: 5,
      processes: [proc('product', 1, 21)],
      host: '127.0.0.1',
      effects: r.effects,
      timings,
    });
    expect(fault.skipped).toMatch(/two healthy instances/);
    expect(r.calls).toEqual([]);
  });
});
