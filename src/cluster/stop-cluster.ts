import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SUPERVISOR_TIMINGS } from '../config/defaults.js';
import { stateLayout } from '../config/state-layout.js';
import { isProcessAlive } from '../runtime/is-process-alive.js';
import { stopFromPidFiles } from '../runtime/stop-from-pid-files.js';
import { callControl, isDaemonRunning } from './call-control.js';
import { stopPlan } from './start-plan.js';

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stops a cluster (`ecom down`): asks a live daemon to stop everything and waits for it to exit, then stops
 * whatever a dead daemon (or a crashed `up`) left behind, by pid file: the daemon first, then the stop plan. Returns the names of what was stopped;
 * a second run finds nothing.
 */
export async function stopCluster(stateDir: string, options: { timeoutMs?: number; onProgress?: (line: string) => void } = {}): Promise<string[]> {
  const layout = stateLayout(stateDir);
  const stopped: string[] = [];
  if (await isDaemonRunning(layout.socket)) {
    const daemonPid = readPid(layout.daemonPid);
    const result = await callControl<{ stopped: string[] }>(layout.socket, { cmd: 'down' }, options.onProgress);
    stopped.push(...result.stopped);
    // The daemon exits right after answering; give it a moment before sweeping pid files.
    const deadline = Date.now() + SUPERVISOR_TIMINGS.daemonExitWaitMs;
    while (daemonPid !== undefined && isProcessAlive(daemonPid) && Date.now() < deadline) await sleep(20);
  }
  const levels = [['daemon'], ...stopPlan()];
  const leftovers = await stopFromPidFiles(stateDir, {
    levels,
    timeoutMs: options.timeoutMs ?? SUPERVISOR_TIMINGS.downTimeoutMs,
    onProgress: options.onProgress,
  });
  stopped.push(...leftovers.filter((n) => n !== 'daemon'));
  return stopped;
}
