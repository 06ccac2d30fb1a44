import { setTimeout as sleep } from 'node:timers/promises';
import { SUPERVISOR_TIMINGS } from '../config/defaults.js';
import { stateLayout } from '../config/state-layout.js';
import { clearStaleLock } from '../runtime/lock-state-dir.js';
import { isSameProcess, readPidFile } from '../runtime/process-identity.js';
import { stopFromPidFiles } from '../runtime/stop-from-pid-files.js';
import { callControl, isDaemonRunning } from './call-control.js';
import { stopPlan } from './start-plan.js';
import { sweepRuntime } from './choose-runtime.js';

/**
 * Stops a cluster (`ecom down`): asks a live daemon to stop everything and waits for it to exit, then stops
 * whatever a dead daemon (or a crashed `up`) left behind, by pid file (pid and start time): the daemon first, then
 * the stop plan; drops an `up` lock whose holder is gone. Returns the names of what was stopped; a second run finds
 * nothing.
 */
export async function stopCluster(stateDir: string, options: { timeoutMs?: number; onProgress?: (line: string) => void } = {}): Promise<string[]> {
  const layout = stateLayout(stateDir);
  const stopped: string[] = [];
  if (await isDaemonRunning(layout.socket)) {
    const daemon = readPidFile(layout.daemonPid);
    const result = await callControl<{ stopped: string[] }>(layout.socket, { cmd: 'down' }, options.onProgress);
    stopped.push(...result.stopped);
    // The daemon exits right after answering; give it a moment before sweeping pid files.
    const deadline = Date.now() + SUPERVISOR_TIMINGS.daemonExitWaitMs;
    while (daemon !== undefined && isSameProcess(daemon) && Date.now() < deadline) await sleep(20);
  }
  const levels = [['daemon'], ...stopPlan()];
  const leftovers = await stopFromPidFiles(stateDir, {
    levels,
    timeoutMs: options.timeoutMs ?? SUPERVISOR_TIMINGS.downTimeoutMs,
    onProgress: options.onProgress,
  });
  stopped.push(...leftovers.filter((n) => n !== 'daemon'));
  stopped.push(...(await sweepRuntime(stateDir, options.onProgress)));
  clearStaleLock(layout.upLock);
  return stopped;
}
