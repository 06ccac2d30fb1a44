import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { EcomError } from '../common/ecom-error.js';
import type { Logger } from '../kit/create-logger.js';
import { isDaemonRunning } from './call-control.js';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { ensureCredentials } from '../config/ensure-credentials.js';
import { serveControl } from './serve-control.js';
import { waitSettledStatus } from './wait-settled-status.js';
import { stateLayout } from '../config/state-layout.js';
import { ClusterSupervisor, type SupervisorOptions } from './supervise-cluster.js';
import { chooseRuntime } from './choose-runtime.js';
import type { Runtime } from '../runtime/runtime.js';
import { lockStateDir } from '../runtime/lock-state-dir.js';
import { formatPidFile, identifyProcess } from '../runtime/process-identity.js';

/** A cluster supervised by this process, reachable through its control socket. */
export interface RunningCluster {
  supervisor: ClusterSupervisor;
  /** Resolves when the cluster has been stopped (by `close()` or by `ecom down` over the socket). */
  stopped: Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs a cluster in this process: locks the state dir (taking the lock on from the `ecom up` that started this
 * daemon; `already_running` if another supervisor owns it), opens the control socket (so `status`, `scale`,
 * `restart`, `logs` and `down` work from other terminals), writes the daemon pid file (pid and start time), and
 * starts everything. `onProgress` sees human progress lines while starting, scaling and stopping.
 */
export async function runCluster(
  cluster: ClusterConfig,
  options: Omit<SupervisorOptions, 'log'> & { log: Logger; onProgress?: (line: string) => void },
): Promise<RunningCluster> {
  const paths = stateLayout(cluster.stateDir);
  mkdirSync(cluster.stateDir, { recursive: true });
  const lock = lockStateDir(paths.upLock, { adoptFrom: process.ppid });
  if (await isDaemonRunning(paths.socket)) {
    lock.release();
    throw new EcomError('already_running', `a cluster already runs for ${cluster.stateDir}`, {
      hint: 'see it with `ecom status`, stop it with `ecom down`',
    });
  }
  for (const dir of [paths.pids, paths.redisDir]) mkdirSync(dir, { recursive: true });
  ensureCredentials(cluster.stateDir);
  let supervisor: ClusterSupervisor;
  let runtime: Runtime | undefined;
  try {
    runtime = options.runtime ?? (await chooseRuntime(cluster, { onProgress: options.onProgress }));
    supervisor = new ClusterSupervisor(cluster, { ...options, runtime });
  } catch (err) {
    lock.release();
    throw err;
  }
  if (options.onProgress) supervisor.on('progress', options.onProgress);

  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await supervisor.stop();
      if (!options.runtime) await runtime?.close?.();
      await control.close();
      rmSync(paths.daemonPid, { force: true });
      lock.release();
      resolveStopped();
    })();
    return closing;
  };

  const control = await serveControl(paths.socket, async (request, progress, snapshot) => {
    const forward = (line: string): void => progress(line);
    supervisor.on('progress', forward);
    try {
      switch (request.cmd) {
        case 'status':
          return request.wait ? await waitSettledStatus(supervisor, snapshot) : supervisor.status();
        case 'scale':
          return await supervisor.scale(request.service, request.count);
        case 'restart':
          return await supervisor.restart(request.service, request.rolling);
        case 'down': {
          const names = supervisor.status().processes.map((p) => `${p.service}${p.id === null ? '' : `-${p.id}`}`);
          await supervisor.stop();
          setImmediate(() => void close());
          return { stopped: names };
        }
      }
    } finally {
      supervisor.off('progress', forward);
    }
  });
  writeFileSync(paths.daemonPid, formatPidFile(identifyProcess(process.pid) ?? { pid: process.pid, startTime: '0' }));
  try {
    await supervisor.start();
  } catch (err) {
    await close();
    throw err;
  }
  return { supervisor, stopped, close };
}
