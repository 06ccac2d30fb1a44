import { spawn } from 'node:child_process';
import { childEnv } from './child-env.js';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { EcomError } from '../common/ecom-error.js';
import { selfCommand } from '../common/locate-assets.js';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { SUPERVISOR_TIMINGS } from '../config/defaults.js';
import { stateLayout } from '../config/state-layout.js';
import { callControl } from './call-control.js';
import type { ClusterStatus } from './project-status.js';
import { readLogTail } from './read-log-tail.js';

/**
 * Starts the supervisor daemon (`ecom daemon`) detached, its output in `logs/daemon.log`, and follows the start over
 * one control connection (`status` with `wait`) until the cluster runs. `onStatus` sees every status snapshot
 * meanwhile (to announce processes as they come up). Fails with the end of the daemon's log when it exits first, or when the cluster is not up in time.
 */
export async function startDaemon(
  cluster: ClusterConfig,
  options: { onStatus?: (status: ClusterStatus) => void; timeoutMs?: number; pollMs?: number } = {},
): Promise<ClusterStatus> {
  const layout = stateLayout(cluster.stateDir);
  mkdirSync(layout.logs, { recursive: true });
  const logFile = layout.daemonLog;
  const out = openSync(logFile, 'a');
  const self = selfCommand(['daemon', '-c', cluster.configPath]);
  const child = spawn(self.command, self.args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, ECOM_STATE_DIR: cluster.stateDir, ...childEnv(process.env, { ecomNodeOptions: false }) },
  });
  closeSync(out);
  let exited = false;
  child.once('exit', () => (exited = true));
  child.unref();
  const timeoutMs = options.timeoutMs ?? SUPERVISOR_TIMINGS.daemonStartTimeoutMs;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      const tail = readLogTail(logFile, 4).join(' | ');
      throw new EcomError('start_failed', `the daemon stopped while starting${tail ? `: ${tail}` : ''}`, { hint: `see ${logFile}` });
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new EcomError('start_failed', `the cluster did not come up within ${timeoutMs / 1000} s`, { hint: `see ${logFile}` });
    // One connection follows the whole start (snapshots at each change); until the daemon listens, connecting fails at once.
    const status = await callControl<ClusterStatus>(layout.socket, { cmd: 'status', wait: 'settled' }, undefined, left, (snapshot) =>
      options.onStatus?.(snapshot as ClusterStatus),
    ).catch(() => undefined);
    if (status) {
      options.onStatus?.(status);
      if (status.phase === 'running') return status;
      // A failed start is being torn down: the daemon exits soon after, with the cause in its log.
      await sleep(200);
      continue;
    }
    await sleep(options.pollMs ?? SUPERVISOR_TIMINGS.daemonPollMs);
  }
}
