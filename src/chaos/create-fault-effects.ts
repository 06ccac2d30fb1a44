import type { FaultEffects } from './inject-fault.js';

/** The real effects of faults on this machine, and `settle()` to end every pending undo at once. */
export interface LiveFaultEffects extends FaultEffects {
  /** Runs every pending undo now (a paused process is resumed), so none outlives the run. */
  settle(): void;
}

/** Signals to pids, added latency through an instance's `PUT /internal/faults` with the cluster token, tracked undos. */
export function createFaultEffects(clusterToken: string): LiveFaultEffects {
  const undos = new Map<NodeJS.Timeout, () => void>();
  return {
    signal(pid, signal) {
      try {
        process.kill(pid, signal);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    },
    async slowDown(url, latencyMs, forMs) {
      await fetch(`${url}/internal/faults`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${clusterToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ latencyMs, forMs }),
        signal: AbortSignal.timeout(2000),
      });
    },
    later(ms, then) {
      const timer = setTimeout(() => {
        undos.delete(timer);
        then();
      }, ms);
      undos.set(timer, then);
    },
    settle() {
      for (const [timer, then] of undos) {
        clearTimeout(timer);
        then();
      }
      undos.clear();
    },
  };
}
