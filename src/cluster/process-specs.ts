import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { selfCommand } from '../common/locate-assets.js';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { ensureCredentials } from '../config/ensure-credentials.js';
import { SUPERVISOR_TIMINGS as T, type ServiceKind } from '../config/defaults.js';
import { stateLayout, type NginxPaths } from '../config/state-layout.js';
import type { InstanceSpec } from '../runtime/runtime.js';
import { parseDuration } from '../common/parse-duration.js';
import { httpUrl } from '../common/http-url.js';
import { childEnv } from './child-env.js';
import { prometheusDuration, writePrometheusConfig } from './write-prometheus-config.js';

const node = (cluster: ClusterConfig, name: string, service: string, args: string[], extra: Partial<InstanceSpec> = {}): InstanceSpec => ({
  name,
  service,
  host: cluster.host,
  ...selfCommand([...args, '-c', cluster.configPath]),
  logFile: stateLayout(cluster.stateDir).logFile(name),
  stopTimeoutMs: cluster.http.shutdownGraceMs + cluster.http.drainMs + T.serviceStopSlackMs,
  // Keep the state dir the supervisor resolved, even if the cluster file's stateDir came from the environment.
  env: { ECOM_STATE_DIR: cluster.stateDir, ...childEnv() },
  // `ecom service start` and `ecom iscs` say when they serve (src/cli/notify-ready.ts).
  notifiesReady: true,
  ...extra,
});

/**
 * Writes redis-server's config file: only the password it requires (the credentials' `redisPassword`), mode 0600
 * from the moment it exists, so the password is on no command line for `ps` to show.
 */
export function writeRedisConfig(cluster: ClusterConfig): string {
  const file = stateLayout(cluster.stateDir).redisConfig;
  const { redisPassword } = ensureCredentials(cluster.stateDir);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, `# Written by ecom at every start of redis-server; the password is credentials.json's redisPassword.\nrequirepass ${redisPassword}\n`, {
      mode: 0o600,
    });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
  return file;
}

/**
 * redis-server on its own port and dir, a password required of every client (from its config file, written here),
 * append-only file on (streams survive a restart), no RDB snapshots.
 */
export function redisSpec(cluster: ClusterConfig): InstanceSpec {
  const layout = stateLayout(cluster.stateDir);
  const config = writeRedisConfig(cluster);
  return {
    name: 'redis',
    service: 'redis',
    host: cluster.host,
    port: cluster.redis.port,
    command: 'redis-server',
    args: [
      config,
      '--port',
      String(cluster.redis.port),
      '--bind',
      cluster.host,
      '--dir',
      layout.redisDir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      // redis-server acts on SIGTERM at its next timer tick: 50 a second (the default 10 held every `down` up to 100 ms).
      '--hz',
      '50',
      '--daemonize',
      'no',
      '--protected-mode',
      'yes',
      '--logfile',
      '',
    ],
    logFile: layout.logFile('redis'),
    stopTimeoutMs: T.coreStopTimeoutMs,
  };
}

/** The registry process. */
export function iscsSpec(cluster: ClusterConfig): InstanceSpec {
  return node(cluster, 'iscs', 'iscs', ['iscs', '--port', String(cluster.iscs.port)], {
    port: cluster.iscs.port,
    stopTimeoutMs: T.coreStopTimeoutMs,
  });
}

/** One service instance, with its kind's CPU weight. */
export function serviceSpec(cluster: ClusterConfig, kind: ServiceKind, id: number, port: number): InstanceSpec {
  return node(cluster, `${kind}-${id}`, kind, ['service', 'start', kind, '--id', String(id), '--port', String(port)], {
    id,
    port,
    cpuWeight: cluster.services[kind].cpuWeight,
  });
}

/** nginx in the foreground under its own prefix (the config says `daemon off`); SIGQUIT stops it gracefully. */
export function nginxSpec(paths: NginxPaths, logFile: string, address?: { host: string; port: number }, cpuWeight?: number): InstanceSpec {
  return {
    ...(cpuWeight === undefined ? {} : { cpuWeight }),
    name: 'nginx',
    service: 'nginx',
    ...(address ? { host: address.host, port: address.port } : {}),
    command: 'nginx',
    args: ['-p', paths.prefix, '-c', paths.config],
    logFile,
    stopSignal: 'SIGQUIT',
    stopTimeoutMs: T.nginxStopTimeoutMs,
  };
}

/** The cluster's nginx, its output in the logs dir beside the other processes', with the gateway's CPU weight. */
export function clusterNginxSpec(cluster: ClusterConfig): InstanceSpec {
  const layout = stateLayout(cluster.stateDir);
  return nginxSpec(layout.nginx, layout.logFile('nginx'), { host: cluster.host, port: cluster.gateway.port }, cluster.gateway.cpuWeight);
}

/**
 * Debian's prometheus on its own port and data dir under the state dir, short retention, its files written here
 * (write-prometheus-config). The lifecycle and admin APIs stay off (Prometheus' default): nothing can stop it or
 * delete its data over HTTP.
 */
export function prometheusSpec(cluster: ClusterConfig): InstanceSpec {
  const paths = writePrometheusConfig(cluster);
  const { port, retention } = cluster.prometheus;
  return {
    name: 'prometheus',
    service: 'prometheus',
    host: cluster.host,
    port,
    command: 'prometheus',
    args: [
      `--config.file=${paths.config}`,
      `--storage.tsdb.path=${paths.dataDir}`,
      `--storage.tsdb.retention.time=${prometheusDuration(parseDuration(retention, 'prometheus.retention'))}`,
      `--web.listen-address=${new URL(httpUrl(cluster.host, port)).host}`,
    ],
    logFile: stateLayout(cluster.stateDir).logFile('prometheus'),
    stopTimeoutMs: T.coreStopTimeoutMs,
  };
}
