import { setTimeout as sleep } from 'node:timers/promises';
import { readProcessStart } from '../common/read-process-start.js';
import { isProcessAlive } from './is-process-alive.js';

/** How signals reach processes; injected so stop policies are unit-testable. */
export interface ProcessSignals {
  /** Sends `signal` to a whole process group (the leader's pid). */
  killGroup(pid: number, signal: NodeJS.Signals): void;
  isAlive(pid: number): boolean;
}

/** Real signals: negative pids address the process group (every managed process leads its own). */
export const systemSignals: ProcessSignals = {
  killGroup(pid, signal) {
    if (!(pid > 1)) return;
    try {
      process.kill(-pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  },
  isAlive: isProcessAlive,
};

/** How long a stop waits for the leader to vanish after SIGKILL before giving up on it. */
const KILL_WAIT_MS = 5000;

/**
 * Stops a process group: `signal` (SIGTERM by default) to the group, then SIGKILL to the group when the leader is
 * still alive after `timeoutMs`. With `startTime`, a leader whose start time differs (its pid was reused) counts as
 * gone and is never signalled. Resolves once the leader is gone, or `killWaitMs` after SIGKILL at the latest (a pid
 * that is no group leader never vanishes from a group signal); returns whether SIGKILL was needed.
 */
export async function stopProcessGroup(
  pid: number,
  options: {
    signals?: ProcessSignals;
    timeoutMs: number;
    signal?: NodeJS.Signals;
    exited?: Promise<unknown>;
    pollMs?: number;
    startTime?: string;
    killWaitMs?: number;
  },
): Promise<{ killed: boolean }> {
  const signals = options.signals ?? systemSignals;
  const gone = (): boolean => !signals.isAlive(pid) || (options.startTime !== undefined && readProcessStart(pid) !== options.startTime);
  const poll = options.pollMs ?? 25;
  const waitGone = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (options.exited) {
        const done = await Promise.race([options.exited.then(() => true), sleep(poll).then(() => false)]);
        if (done) return true;
      } else await sleep(poll);
      if (gone()) return true;
    }
    return gone();
  };
  if (gone()) return { killed: false };
  signals.killGroup(pid, options.signal ?? 'SIGTERM');
  if (gone() || (await waitGone(options.timeoutMs))) return { killed: false };
  signals.killGroup(pid, 'SIGKILL');
  await waitGone(options.killWaitMs ?? KILL_WAIT_MS);
  return { killed: true };
}
