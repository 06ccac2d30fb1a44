import { httpUrl } from '../common/http-url.js';
import type { ProxySyncStatus } from '../gateway/sync-proxy.js';
import type { ProcessInfo } from './managed-process.js';
import { readLogTail } from './read-log-tail.js';
import type { Health } from './restart-on-health-failure.js';
import type { Supervised } from './supervise-process.js';

/** One line of `ecom status`. */
export interface ProcessStatus {
  service: string;
  id: number | null;
  pid: number | null;
  port: number | null;
  health: Health | 'stopped' | 'crash-loop';
  restarts: number;
  uptimeMs: number;
  state: ProcessInfo['state'];
  lastExit?: ProcessInfo['lastExit'];
  /** The end of the process's log when it is crash-looping or down. */
  lastLines?: string[];
}

/** Where the supervisor is in its life. */
export type SupervisorPhase = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/** What `ecom status --json` prints. */
export interface ClusterStatus {
  phase: SupervisorPhase;
  gateway: string;
  stateDir: string;
  processes: ProcessStatus[];
  proxySync?: ProxySyncStatus;
  /** Prometheus' URL, when the cluster file enables it. */
  prometheus?: string;
}

/** One supervised process as a status line: a process that is down shows `stopped` (or `crash-loop`) and its last log lines. */
export function projectProcess({ proc, health }: Pick<Supervised, 'proc' | 'health'>): ProcessStatus {
  const info = proc.info();
  const down = info.state !== 'running' && info.state !== 'stopping';
  const h: ProcessStatus['health'] = info.crashLoop && down ? 'crash-loop' : down ? 'stopped' : health.health();
  return {
    service: info.service,
    id: info.id ?? null,
    pid: info.pid ?? null,
    port: info.port ?? null,
    health: h,
    restarts: info.restarts,
    uptimeMs: info.uptimeMs,
    state: info.state,
    ...(info.lastExit ? { lastExit: info.lastExit } : {}),
    ...(h === 'crash-loop' || (down && info.lastExit) ? { lastLines: readLogTail(proc.logFile, 5) } : {}),
  };
}

/** The whole cluster's status from its supervised processes in start order. */
export function projectStatus(cluster: Omit<ClusterStatus, 'processes'>, entries: ReadonlyArray<Pick<Supervised, 'proc' | 'health'>>): ClusterStatus {
  const { proxySync, ...rest } = cluster;
  const prometheus = entries.find((e) => e.proc.spec.service === 'prometheus')?.proc.spec;
  return {
    ...rest,
    processes: entries.map(projectProcess),
    ...(proxySync ? { proxySync } : {}),
    ...(prometheus?.port ? { prometheus: httpUrl(prometheus.host ?? '127.0.0.1', prometheus.port) } : {}),
  };
}
