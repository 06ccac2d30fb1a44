import type { ClusterConfig } from '../../config/cluster-schema.js';
import { SERVICE_KINDS } from '../../config/defaults.js';
import type { ImageKind } from './docker-names.js';

/** Where a stack's containers keep the state dir (one shared volume) and read the cluster file. */
export const STACK_STATE_DIR = '/var/lib/ecom';
export const STACK_CONFIG_FILE = '/etc/ecom/config.json';
/** The cluster network's subnet in exported files when the cluster file sets no `docker.subnet`. */
export const STACK_DEFAULT_SUBNET = '198.18.64.0/24';
/** The same for a swarm stack's overlay network. */
export const SWARM_DEFAULT_SUBNET = '198.19.255.0/24';

/** One container of a stack (compose, swarm, Kubernetes): what it runs and what it needs. */
export interface StackContainer {
  name: string;
  role: 'init' | 'redis' | 'iscs' | 'service' | 'gateway';
  image: string;
  command: string[];
  env: Record<string, string>;
  port?: number;
  cpus?: number;
  memory?: string;
  /** Started only after these (the init container: after it completed). */
  after: string[];
}

const ECOM = '/usr/local/bin/ecom';

/**
 * The cluster as a list of containers, for every exported or deployed form: a one-shot `init` (credentials and
 * redis-server's password file in the shared state volume), redis-server, the registry, one container per service
 * instance (its id and port from the cluster file), and the gateway running `ecom nginx start` (the proxy sync and
 * nginx). Every ecom container finds the registry and redis-server by name and trusts peers on `subnet` only.
 */
export function stackModel(cluster: ClusterConfig, options: { images: (kind: ImageKind) => string; subnet: string; stateDir?: string }): StackContainer[] {
  const stateDir = options.stateDir ?? STACK_STATE_DIR;
  const env = {
    ECOM_STATE_DIR: stateDir,
    ECOM_CONTAINER_ISCS_HOST: 'iscs',
    ECOM_CONTAINER_REDIS_HOST: 'redis',
    ECOM_CONTAINER_SUBNET: options.subnet,
    XDG_CACHE_HOME: '/tmp/cache',
  };
  const app = options.images('app');
  const config = ['-c', STACK_CONFIG_FILE];
  const redisDir = `${stateDir}/redis`;
  const containers: StackContainer[] = [
    { name: 'init', role: 'init', image: app, command: [ECOM, 'state-init', ...config], env, after: [] },
    {
      name: 'redis',
      role: 'redis',
      image: options.images('redis'),
      command: [
        '/usr/bin/redis-server',
        `${redisDir}/redis.conf`,
        ...['--port', String(cluster.redis.port), '--bind', '0.0.0.0', '--dir', redisDir, '--appendonly', 'yes', '--appendfsync', 'everysec'],
        ...['--save', '', '--daemonize', 'no', '--protected-mode', 'yes'],
      ],
      env: {},
      port: cluster.redis.port,
      after: ['init'],
    },
    {
      name: 'iscs',
      role: 'iscs',
      image: app,
      command: [ECOM, 'iscs', '--port', String(cluster.iscs.port), ...config],
      env,
      port: cluster.iscs.port,
      after: ['init'],
    },
  ];
  for (const kind of SERVICE_KINDS) {
    const { instances, cpus, memory } = cluster.services[kind];
    for (const { id, port } of instances) {
      containers.push({
        name: `${kind}-${id}`,
        role: 'service',
        image: app,
        command: [ECOM, 'service', 'start', kind, '--id', String(id), '--port', String(port), ...config],
        env,
        port,
        ...(cpus ? { cpus } : {}),
        ...(memory ? { memory } : {}),
        after: ['init', 'redis', 'iscs'],
      });
    }
  }
  containers.push({
    name: 'gateway',
    role: 'gateway',
    image: options.images('nginx'),
    command: [ECOM, 'nginx', 'start', ...config],
    env,
    port: cluster.gateway.port,
    after: ['init', 'iscs'],
  });
  return containers;
}
