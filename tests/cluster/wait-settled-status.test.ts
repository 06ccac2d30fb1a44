import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ClusterStatus, SupervisorPhase } from '../../src/cluster/project-status.js';
import { waitSettledStatus } from '../../src/cluster/wait-settled-status.js';

/** A supervisor stand-in: a phase, a status carrying it, and `change` events. */
class FakeSupervisor extends EventEmitter<{ change: [] }> {
  phase: SupervisorPhase = 'starting';
  healthy = 0;
  status(): ClusterStatus {
    return { phase: this.phase, healthy: this.healthy } as unknown as ClusterStatus;
  }
  set(phase: SupervisorPhase, healthy: number): void {
    this.phase = phase;
    this.healthy = healthy;
    this.emit('change');
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('waitSettledStatus', () => {
  it('sends a snapshot at start and after changes, coalescing a burst, and answers once the cluster runs', async () => {
    const source = new FakeSupervisor();
    const snapshots: unknown[] = [];
    const settled = waitSettledStatus(source, (status) => snapshots.push(status));
    expect(snapshots).toEqual([{ phase: 'starting', healthy: 0 }]);
    source.set('starting', 1);
    source.set('starting', 2);
    await tick();
    expect(snapshots).toEqual([
      { phase: 'starting', healthy: 0 },
      { phase: 'starting', healthy: 2 },
    ]);
    source.set('running', 3);
    await expect(settled).resolves.toEqual({ phase: 'running', healthy: 3 });
    expect(source.listenerCount('change')).toBe(0);
  });

  it('answers at once, without a snapshot, when the cluster is not starting (and a failed start settles it too)', async () => {
    const source = new FakeSupervisor();
    source.phase = 'running';
    const snapshots: unknown[] = [];
    await expect(waitSettledStatus(source, (s) => snapshots.push(s))).resolves.toMatchObject({ phase: 'running' });
    expect(snapshots).toEqual([]);
    const failing = new FakeSupervisor();
    const settled = waitSettledStatus(failing, () => undefined);
    failing.set('failed', 0);
    await expect(settled).resolves.toMatchObject({ phase: 'failed' });
  });
});
