import { resolve } from 'node:path';
import type { ClusterConfig } from '../config/cluster-schema.js';
import type { ServiceKind } from '../config/defaults.js';
import type { ProcessSpec } from './managed-process.js';
import { nginxPaths } from '../config/nginx-paths.js';
import { logFileOf, statePaths } from '../config/state-paths.js';

/** The built CLI entry that managed node processes run. */
export const CLI_ENTRY = resolve(import.meta.dirname, '../cli/main.js');

const node = (cluster: ClusterConfig, name: string, service: string, args: string[], extra: Partial<ProcessSpec> = {}): ProcessSpec => ({
  name,
  service,
  command: process.execPath,
  args: [CLI_ENTRY, ...args, '-c', cluster.configPath],
  logFile: logFileOf(statePaths(cluster.stateDir), name),
  stopTimeoutMs: cluster.http.shutdownGraceMs + cluster.http.drainMs + 2000,
  // Keep the state dir the supervisor resolved, even if the cluster file's stateDir came from the environment.
  env: { ECOM_STATE_DIR: cluster.stateDir },
  ...extra,
});

/** redis-server on its own port and dir, append-only file on (streams survive a restart), no RDB snapshots. */
export function redisSpec(cluster: ClusterConfig): ProcessSpec {
  const paths = statePaths(cluster.stateDir);
  return {
    name: 'redis',
    service: 'redis',
    port: cluster.redis.port,
    command: 'redis-server',
    args: [
      '--port', String(cluster.redis.port),
      '--bind', cluster.host,
      '--dir', paths.redisDir,
      '--appendonly', 'yes',
      '--appendfsync', 'everysec',
      '--save', '',
      '--daemonize', 'no',
      '--protected-mode', 'no',
      '--logfile', '',
    ],
    logFile: logFileOf(paths, 'redis'),
    stopTimeoutMs: 5000,
  };
}

/** The registry process. */
export function iscsSpec(cluster: ClusterConfig): ProcessSpec {
  return node(cluster, 'iscs', 'iscs', ['iscs', '--port', String(cluster.iscs.port)], { port: cluster.iscs.port, stopTimeoutMs: 5000 });
}

/** One service instance. */
export function serviceSpec(cluster: ClusterConfig, kind: ServiceKind, id: number, port: number): ProcessSpec {
  return node(cluster, `${kind}-${id}`, kind, ['service', 'start', kind, '--id', String(id), '--port', String(port)], { id, port });
}

/** nginx in the foreground under its own prefix (the config says `daemon off`); SIGQUIT stops it gracefully. */
export function nginxSpec(cluster: ClusterConfig): ProcessSpec {
  const paths = nginxPaths(cluster.stateDir);
  return {
    name: 'nginx',
    service: 'nginx',
    port: cluster.gateway.port,
    command: 'nginx',
    args: ['-p', paths.prefix, '-c', paths.config],
    logFile: logFileOf(statePaths(cluster.stateDir), 'nginx'),
    stopSignal: 'SIGQUIT',
    stopTimeoutMs: 12_000,
  };
}
