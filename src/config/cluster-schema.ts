import { z } from 'zod';
import { LOG_LEVELS } from '../common/log-levels.js';
import { parseDuration } from '../common/parse-duration.js';
import { isLoopbackHost } from './cluster-hosts.js';
import { CLUSTER_DEFAULTS, CPU_WEIGHTS, SERVICE_KINDS, type ServiceKind } from './defaults.js';

const port = z.number().int().min(1).max(65535);
const duration = z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)?$/, 'expected a duration like 500ms, 1s or 5m');
const D = CLUSTER_DEFAULTS;
const aboveZero = (text: string): boolean => {
  try {
    return parseDuration(text) > 0;
  } catch {
    return false;
  }
};
const positiveDuration = duration.refine(aboveZero, 'expected a duration above zero');

const instance = z.object({ id: z.number().int().min(1), port }).strict();
/** One kind's entry; `cpuWeight` defaults to the kind's CPU_WEIGHTS entry. */
const serviceOf = (kind: ServiceKind) =>
  z
    .object({
      instances: z.array(instance),
      /** Docker runtime: CPU limit per instance (0.5 = half a core). */
      cpus: z.number().positive().max(1024).optional(),
      /** Share of the cores when they are all busy (100 = an ordinary process): a nice value, or a container's CpuShares. */
      cpuWeight: z.number().int().min(1).max(10_000).default(CPU_WEIGHTS[kind]),
      /** Docker runtime: memory limit per instance, e.g. `256m`, `1g`. */
      memory: z
        .string()
        .regex(/^\d+[kmg]?$/i, 'expected a size like 256m or 1g')
        .optional(),
    })
    .strict()
    .superRefine((svc, ctx) => {
      const ids = new Set<number>();
      svc.instances.forEach((inst, i) => {
        if (ids.has(inst.id)) ctx.addIssue({ code: 'custom', path: ['instances', i, 'id'], message: `duplicate id ${inst.id}` });
        ids.add(inst.id);
      });
    });

/** Validates a cluster file and fills every missing value from CLUSTER_DEFAULTS. */
export const clusterSchema = z
  .object({
    stateDir: z.string().min(1).default(D.stateDir),
    host: z.string().min(1).default(D.host),
    exposeNonLoopback: z.boolean().default(D.exposeNonLoopback),
    gateway: z
      .object({
        port: port.default(D.gateway.port),
        balance: z.enum(['least_conn', 'round_robin', 'ip_hash', 'ewma']).default(D.gateway.balance),
        cache: z
          .object({ enabled: z.boolean().default(D.gateway.cache.enabled), ttl: duration.default(D.gateway.cache.ttl) })
          .strict()
          .prefault({}),
        workers: z.number().int().min(1).max(64).default(D.gateway.workers),
        cpuWeight: z.number().int().min(1).max(10_000).default(D.gateway.cpuWeight),
        loginRate: z
          .string()
          .regex(/^\d+r\/[sm]$/, 'expected a rate like 20r/s')
          .default(D.gateway.loginRate),
        loginBurst: z.number().int().min(0).default(D.gateway.loginBurst),
        endpoints: z.enum(['auto', 'lua', 'reload']).default(D.gateway.endpoints),
        adminPort: z.number().int().min(0).max(65535).default(D.gateway.adminPort),
      })
      .strict()
      .prefault({}),
    proxySync: z
      .object({
        minWaitMs: z.number().int().min(0).default(D.proxySync.minWaitMs),
        maxWaitMs: z.number().int().min(1).default(D.proxySync.maxWaitMs),
      })
      .strict()
      .prefault({}),
    iscs: z
      .object({
        port: port.default(D.iscs.port),
        heartbeatMs: z.number().int().min(50).default(D.iscs.heartbeatMs),
        ttlMs: z.number().int().min(100).default(D.iscs.ttlMs),
      })
      .strict()
      .prefault({}),
    redis: z
      .object({ port: port.default(D.redis.port) })
      .strict()
      .prefault({}),
    http: z
      .object({
        bodyLimitBytes: z.number().int().min(1024).default(D.http.bodyLimitBytes),
        peerTimeoutMs: z.number().int().min(50).default(D.http.peerTimeoutMs),
        shutdownGraceMs: z.number().int().min(0).default(D.http.shutdownGraceMs),
        drainMs: z.number().int().min(0).default(D.http.drainMs),
      })
      .strict()
      .prefault({}),
    cache: z
      .object({
        commandTimeoutMs: z.number().int().min(1).default(D.cache.commandTimeoutMs),
        ttl: duration.default(D.cache.ttl),
      })
      .strict()
      .prefault({}),
    logs: z
      .object({
        level: z.enum(LOG_LEVELS).default(D.logs.level),
        bufferEntries: z.number().int().min(10).default(D.logs.bufferEntries),
        flushMs: z.number().int().min(10).default(D.logs.flushMs),
        retainRows: z.number().int().min(1000).default(D.logs.retainRows),
      })
      .strict()
      .prefault({}),
    runtime: z.enum(['process', 'docker']).default(D.runtime),
    docker: z
      .object({
        socket: z.string().min(1).optional(),
        subnet: z
          .string()
          .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'expected an IPv4 CIDR like 198.18.0.0/24')
          .optional(),
      })
      .strict()
      .prefault({}),
    services: z
      .object(
        // prefault: a kind left out is parsed from its default instances, so it gets its CPU weight too.
        Object.fromEntries(SERVICE_KINDS.map((kind) => [kind, serviceOf(kind).prefault(structuredClone(D.services[kind]) as never)])) as Record<
          ServiceKind,
          z.ZodPrefault<ReturnType<typeof serviceOf>>
        >,
      )
      .strict()
      .prefault({}),
    prometheus: z
      .object({
        enabled: z.boolean().default(D.prometheus.enabled),
        port: port.default(D.prometheus.port),
        scrapeInterval: positiveDuration.default(D.prometheus.scrapeInterval),
        retention: positiveDuration.default(D.prometheus.retention),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    if (!cfg.exposeNonLoopback && !isLoopbackHost(cfg.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['host'],
        message: `${JSON.stringify(cfg.host)} is not a loopback address and would expose redis, the registry and every service to the network; use 127.0.0.1, or set exposeNonLoopback: true to bind it anyway`,
      });
    }
    const seen = new Map<number, string>();
    const claim = (p: number, where: string): void => {
      const other = seen.get(p);
      if (other) ctx.addIssue({ code: 'custom', path: where.split('.'), message: `port ${p} is also used by ${other}` });
      else seen.set(p, where);
    };
    claim(cfg.gateway.port, 'gateway.port');
    if (cfg.gateway.adminPort > 0) claim(cfg.gateway.adminPort, 'gateway.adminPort');
    claim(cfg.iscs.port, 'iscs.port');
    claim(cfg.redis.port, 'redis.port');
    if (cfg.prometheus.enabled) claim(cfg.prometheus.port, 'prometheus.port');
    for (const kind of SERVICE_KINDS) {
      cfg.services[kind].instances.forEach((inst, i) => claim(inst.port, `services.${kind}.instances.${i}.port`));
    }
  });

/** A validated cluster definition with every default filled in and `stateDir` made absolute. */
export type ClusterConfig = z.infer<typeof clusterSchema> & {
  configPath: string;
  /** Set inside a container (from the environment): how this process reaches the rest of the cluster. */
  container?: ContainerNetwork;
};

/** Inside a container: the registry's and redis-server's hosts, and which peer addresses belong to the cluster. */
export interface ContainerNetwork {
  iscsHost: string;
  redisHost: string;
  /** IPv4 CIDR of the cluster network; registered peers outside it are ignored. */
  peerSubnet: string;
}
