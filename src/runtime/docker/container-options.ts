import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ContainerCreateOptions } from 'dockerode';
import { assetFile, IN_BINARY, selfCommand } from '../../common/locate-assets.js';
import type { InstanceSpec } from '../runtime.js';
import { CLUSTER_LABEL, containerNameOf, imageKindOf, INSTANCE_LABEL, parseMemory, type ImageTags } from './docker-names.js';

/** What every container of one cluster shares. */
export interface ContainerContext {
  clusterId: string;
  stateDir: string;
  /** The cluster file, mounted read-only at the same path (the services read it). */
  configPath: string;
  /** With `assignable`, each container may be given its address on it (see assign-addresses). */
  network: { name: string; subnet: string; assignable?: boolean };
  images: ImageTags;
  /** `uid:gid` the containers run as: the daemon's own, so files in the state dir stay the user's. */
  user: string;
  /** Per service kind: CPU and memory limits from the cluster file. */
  limits: (service: string) => { cpus?: number; memory?: string };
  /** The cgroup every container is created under (the engine's own, `/docker`, when unset). */
  cgroupParent?: string;
  /** The engine's cgroup version (`1` or `2`, docker info's CgroupVersion): how a CPU weight becomes CpuShares. */
  cgroupVersion?: string;
  /**
   * The host's `$XDG_CACHE_HOME/ecom` (the SQLite addon, the code caches), bind-mounted at its own path into app
   * containers: without it every container unpacks the addon and compiles ecom's bundle from nothing.
   */
  cacheDir?: string;
}

/**
 * Docker's CpuShares for a CPU weight (systemd's CPUWeight scale, 100 = an ordinary process). On cgroup v1 the shares
 * themselves weigh (1024 = weight 100); on v2 runc turns shares into cpu.weight, linearly up to runc 1.2
 * (`1 + (shares - 2) × 9999 / 262142`), so these shares give that weight exactly (newer runc maps them higher).
 */
export function cpuSharesOf(weight: number, cgroupVersion: string | undefined): number {
  return cgroupVersion === '1' ? Math.max(2, Math.round(weight * 10.24)) : 2 + Math.ceil(((weight - 1) * 262_142) / 9_999);
}

const PROGRAMS = { app: '/usr/local/bin/ecom', nginx: '/usr/sbin/nginx', redis: '/usr/bin/redis-server' } as const;

/** The container's command: ecom's roles run the image's executable; redis binds every interface of its namespace. */
function commandOf(spec: InstanceSpec): string[] {
  const kind = imageKindOf(spec.service);
  if (kind === 'app') return [PROGRAMS.app, ...spec.args.slice(selfCommand([]).args.length)];
  if (kind === 'nginx') return [PROGRAMS.nginx, ...spec.args];
  return [PROGRAMS.redis, ...spec.args.map((arg, i) => (spec.args[i - 1] === '--bind' ? '0.0.0.0' : arg))];
}

/**
 * How one instance runs as a container: on the cluster network under its name (an alias peers resolve), its port
 * published on 127.0.0.1 only (the supervisor's health checks use it), the state dir and the cluster file
 * bind-mounted at their own paths (and, for ecom's own roles, the host's cache of code and addon), an init process that forwards signals and reaps, its stop signal, the kind's CPU
 * and memory limits and its CPU weight (as CpuShares). nginx shares the host's pid namespace (its pid file names a pid the proxy sync can signal to
 * reload) and the host's network: it listens on `<host>:<gateway.port>` itself, as on the process runtime, and
 * reaches the instances at their cluster-network addresses — published ports would put docker's forwarding
 * (docker-proxy, or DNAT) in front of every client request. `address`: the container's address on the cluster network
 * (the engine's choice when unset).
 */
export function containerOptions(spec: InstanceSpec, ctx: ContainerContext, address?: string): ContainerCreateOptions {
  const kind = imageKindOf(spec.service);
  const hostNetwork = kind === 'nginx';
  const port = spec.port === undefined || hostNetwork ? undefined : `${spec.port}/tcp`;
  const limits = ctx.limits(spec.service);
  const shareCache = kind === 'app' && ctx.cacheDir !== undefined;
  const env = {
    ...spec.env,
    ...(shareCache ? { XDG_CACHE_HOME: dirname(ctx.cacheDir!) } : {}),
    ECOM_CONTAINER_ISCS_HOST: 'iscs',
    ECOM_CONTAINER_REDIS_HOST: 'redis',
    ECOM_CONTAINER_SUBNET: ctx.network.subnet,
  };
  return {
    name: containerNameOf(ctx.stateDir, spec.name),
    Image: ctx.images[kind],
    Cmd: commandOf(spec),
    Env: Object.entries(env)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`),
    User: ctx.user,
    ...(hostNetwork ? {} : { Hostname: spec.name }),
    WorkingDir: ctx.stateDir,
    Labels: { [CLUSTER_LABEL]: ctx.clusterId, [INSTANCE_LABEL]: spec.name },
    StopSignal: spec.stopSignal ?? 'SIGTERM',
    ...(port ? { ExposedPorts: { [port]: {} } } : {}),
    HostConfig: {
      Init: true,
      NetworkMode: hostNetwork ? 'host' : ctx.network.name,
      Binds: [
        `${ctx.stateDir}:${ctx.stateDir}`,
        ...(existsSync(ctx.configPath) ? [`${ctx.configPath}:${ctx.configPath}:ro`] : []),
        ...(shareCache ? [`${ctx.cacheDir}:${ctx.cacheDir}`] : []),
        // Run from a source checkout, the gateway's Lua modules are read from its templates/lua (the binary writes
        // them into the state dir instead).
        ...(kind === 'nginx' && !IN_BINARY && existsSync(assetFile('templates/lua')) ? [`${assetFile('templates/lua')}:${assetFile('templates/lua')}:ro`] : []),
      ],
      ...(port ? { PortBindings: { [port]: [{ HostIp: '127.0.0.1', HostPort: String(spec.port) }] } } : {}),
      ...(kind === 'nginx' ? { PidMode: 'host' } : {}),
      ...(ctx.cgroupParent ? { CgroupParent: ctx.cgroupParent } : {}),
      ...(limits.cpus ? { NanoCpus: Math.round(limits.cpus * 1e9) } : {}),
      ...(spec.cpuWeight !== undefined && spec.cpuWeight !== 100 ? { CpuShares: cpuSharesOf(spec.cpuWeight, ctx.cgroupVersion) } : {}),
      ...(limits.memory ? { Memory: parseMemory(limits.memory) } : {}),
    },
    ...(hostNetwork
      ? {}
      : {
          NetworkingConfig: { EndpointsConfig: { [ctx.network.name]: { Aliases: [spec.name], ...(address ? { IPAMConfig: { IPv4Address: address } } : {}) } } },
        }),
  };
}
