import { isProcessAlive } from './is-process-alive.js';
import { setTimeout as sleep } from 'node:timers/promises';

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

/**
 * Stops a process group: `signal` (SIGTERM by default) to the group, then SIGKILL to the group when the leader is
 * still alive after `timeoutMs`. Resolves once the leader is gone; returns whether SIGKILL was needed.
 */
export async function stopProcessGroup(
  pid: number,
  options: { signals?: ProcessSignals; timeoutMs: number; signal?: NodeJS.Signals; exited?: Promise<unknown>; pollMs?: number },
): Promise<{ killed: boolean }> {
  const signals = options.signals ?? systemSignals;
  const gone = (): boolean => !signals.isAlive(pid);
  if (gone()) return { killed: false };
  signals.killGroup(pid, options.signal ?? 'SIGTERM');
  const deadline = Date.now() + options.timeoutMs;
  const poll = options.pollMs ?? 25;
  while (Date.now() < deadline) {
    if (options.exited) {
      const done = await Promise.race([options.exited.then(() => true), sleep(poll).then(() => false)]);
      if (done || gone()) return { killed: false };
    } else {
      if (gone()) return { killed: false };
      await sleep(poll);
    }
  }
  signals.killGroup(pid, 'SIGKILL');
  while (!gone()) {
    if (options.exited && (await Promise.race([options.exited.then(() => true), sleep(poll).then(() => false)]))) break;
    if (!options.exited) await sleep(poll);
  }
  return { killed: true };
}
