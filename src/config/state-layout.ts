import { join } from 'node:path';

/** Where a cluster's nginx keeps its files: its prefix (-p) inside the state dir. */
export interface NginxPaths {
  prefix: string;
  config: string;
  pidFile: string;
  errorLog: string;
  accessLog: string;
}

/** Where a cluster's Prometheus keeps its files, under `<stateDir>/prometheus/`. */
export interface PrometheusPaths {
  dir: string;
  /** Its TSDB (`--storage.tsdb.path`). */
  dataDir: string;
  /** prometheus.yml, rendered at every start. */
  config: string;
  /** The recording rules it loads. */
  rules: string;
  /** The cluster token it presents to the registry's service discovery (mode 0600). */
  sdToken: string;
}

/** Every path a cluster uses inside `<stateDir>`, named once. */
export interface StateLayout {
  root: string;
  /** One `<name>.pid` per managed process while it lives, plus the daemon's. */
  pids: string;
  /** One `<name>.log` per managed process (stdout and stderr), plus the supervisor's and the daemon's. */
  logs: string;
  /** The daemon's control socket. */
  socket: string;
  /** The daemon's pid and start time while it runs. */
  daemonPid: string;
  /** Held by the one `ecom up` (then its daemon) that owns the state dir: pid and start time. */
  upLock: string;
  daemonLog: string;
  supervisorLog: string;
  /** redis-server's working dir (append-only file). */
  redisDir: string;
  /** redis-server's config file (mode 0600): the password it requires, kept off its command line. */
  redisConfig: string;
  nginx: NginxPaths;
  /** The proxy sync's last status, read by `ecom status`. */
  proxySyncStatus: string;
  /** The services' SQLite files. */
  dataDir: string;
  credentials: string;
  /** Where the registry keeps its listing between restarts. */
  registryState: string;
  prometheus: PrometheusPaths;
  logFile(name: string): string;
  /** SQLite file of one service kind. */
  database(kind: string): string;
}

/** The state dir layout: pids/, logs/, redis/, nginx/, data/, iscs/, the socket, the `up` lock and the credentials file. */
export function stateLayout(stateDir: string): StateLayout {
  const pids = join(stateDir, 'pids');
  const logs = join(stateDir, 'logs');
  const prefix = join(stateDir, 'nginx');
  const dataDir = join(stateDir, 'data');
  return {
    root: stateDir,
    pids,
    logs,
    socket: join(stateDir, 'ecom.sock'),
    daemonPid: join(pids, 'daemon.pid'),
    upLock: join(stateDir, 'up.lock'),
    daemonLog: join(logs, 'daemon.log'),
    supervisorLog: join(logs, 'supervisor.log'),
    redisDir: join(stateDir, 'redis'),
    redisConfig: join(stateDir, 'redis', 'redis.conf'),
    nginx: {
      prefix,
      config: join(prefix, 'nginx.conf'),
      pidFile: join(prefix, 'nginx.pid'),
      errorLog: join(prefix, 'error.log'),
      accessLog: join(prefix, 'access.log'),
    },
    proxySyncStatus: join(prefix, 'sync-status.json'),
    dataDir,
    credentials: join(stateDir, 'credentials.json'),
    registryState: join(stateDir, 'iscs', 'registry.json'),
    prometheus: {
      dir: join(stateDir, 'prometheus'),
      dataDir: join(stateDir, 'prometheus', 'data'),
      config: join(stateDir, 'prometheus', 'prometheus.yml'),
      rules: join(stateDir, 'prometheus', 'rules.yml'),
      sdToken: join(stateDir, 'prometheus', 'sd-token'),
    },
    logFile: (name) => join(logs, `${name}.log`),
    database: (kind) => join(dataDir, `${kind}.db`),
  };
}
