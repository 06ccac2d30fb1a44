import { EventEmitter } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { EcomError } from '../common/ecom-error.js';
import { compileNginxTemplate } from '../gateway/render-nginx-config.js';
import { syncProxy, type ProxySync, type ProxySyncStatus } from '../gateway/sync-proxy.js';
import { watchRegistry, type RegistryWatch } from '../registry/watch-registry.js';
import type { Logger } from '../kit/create-logger.js';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { SERVICE_KINDS, type ServiceKind } from '../config/defaults.js';
import { ManagedProcess, type ProcessInfo, type ProcessSpec, type SpawnProcess } from './managed-process.js';
import { probeHttp, probeRedis, probeTcp } from './probe-health.js';
import { iscsSpec, nginxSpec, redisSpec, serviceSpec } from './process-specs.js';
import { readLogTail } from './read-log-tail.js';
import { isPortFree } from './check-ports.js';
import { restartOnCrash, type RestartPolicy } from './restart-on-crash.js';
import { restartOnHealthFailure, type Health } from './restart-on-health-failure.js';
import { spawnWithPidFile } from '../runtime/spawn-process.js';
import { statePaths } from '../config/state-paths.js';
import { proxySyncStatusPath } from '../gateway/start-gateway.js';
import { systemSignals, type ProcessSignals } from '../runtime/stop-process-group.js';
import { teardownInReverse } from './teardown-in-reverse.js';
import { gatewayUrlOf, registryUrlOf } from '../config/cluster-urls.js';
import { httpUrl } from '../common/http-url.js';

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

/** What `ecom status --json` prints. */
export interface ClusterStatus {
  phase: SupervisorPhase;
  gateway: string;
  stateDir: string;
  processes: ProcessStatus[];
  proxySync?: ProxySyncStatus;
}

/** Where the supervisor is in its life. */
export type SupervisorPhase = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

interface Supervised {
  proc: ManagedProcess;
  health: { health(): Health; markHealthy(): void; stop(): void };
}

/**
 * Start order by dependency: the logger first (everyone ships logs to it), then user and product (neither needs the
 * other), then order (it calls both). Each level is healthy and registered before the next starts.
 */
export const START_LEVELS: ReadonlyArray<readonly ServiceKind[]> = [['logger'], ['user', 'product'], ['order']];

/** Tunables of supervision; defaults suit the default cluster. */
export interface SupervisorOptions {
  log: Logger;
  spawn?: SpawnProcess;
  signals?: ProcessSignals;
  policy?: () => RestartPolicy;
  healthIntervalMs?: number;
  healthFailures?: number;
  startTimeoutMs?: number;
}

/**
 * The supervisor: starts redis-server, the registry, the services (logger, user, product, order; each kind
 * healthy and registered before the next) and nginx with the proxy sync; restarts whatever exits or fails its
 * health checks; scales and restarts services live; stops everything in reverse order.
 * Emits `progress` (a human line) while starting and stopping, and `change` whenever a process changes state.
 */
export class ClusterSupervisor extends EventEmitter<{ progress: [string]; change: [] }> {
  phase: SupervisorPhase = 'starting';
  private readonly core: Supervised[] = [];
  private readonly services = new Map<ServiceKind, Supervised[]>(SERVICE_KINDS.map((k) => [k, []]));
  private nginx: Supervised | undefined;
  private watch: RegistryWatch | undefined;
  private sync: ProxySync | undefined;
  private readonly spawn: SpawnProcess;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly cluster: ClusterConfig,
    private readonly options: SupervisorOptions,
  ) {
    super();
    this.spawn = options.spawn ?? spawnWithPidFile(statePaths(cluster.stateDir).pids);
  }

  /** The gateway's base URL. */
  get gatewayUrl(): string {
    return gatewayUrlOf(this.cluster);
  }

  /** Brings the whole cluster up; on failure stops what it started and throws naming the process and its log. */
  async start(): Promise<void> {
    const { cluster } = this;
    mkdirSync(statePaths(cluster.stateDir).redisDir, { recursive: true });
    try {
      // redis-server and the registry need nothing from each other: start both at once (redis stays core[0]).
      this.progress(`starting redis-server on :${cluster.redis.port} and the registry on :${cluster.iscs.port}`);
      const redisUp = this.launch(this.core, redisSpec(cluster), () => probeRedis(cluster.host, cluster.redis.port));
      const iscsUp = this.launch(this.core, iscsSpec(cluster), () => probeHttp(`${registryUrlOf(cluster)}/health`));
      await Promise.all([redisUp, iscsUp]);
      this.startProxySync();
      for (const level of START_LEVELS) {
        await Promise.all(
          level.map(async (kind) => {
            const instances = cluster.services[kind].instances;
            if (instances.length === 0) return;
            this.progress(`starting ${kind} ×${instances.length} (${instances.map((i) => `:${i.port}`).join(' ')})`);
            await Promise.all(instances.map((inst) => this.startInstance(kind, inst.id, inst.port)));
          }),
        );
      }
      this.progress(`starting nginx gateway on :${cluster.gateway.port}`);
      await this.sync!.flush();
      const syncError = this.sync!.status().lastError;
      if (syncError) throw new EcomError('gateway_config_invalid', syncError.message, { hint: 'fix templates/nginx.conf.hbs' });
      const nginx: Supervised[] = [];
      await this.launch(nginx, nginxSpec(cluster), () => probeTcp(cluster.host, cluster.gateway.port));
      this.nginx = nginx[0];
      this.phase = 'running';
      this.emit('change');
    } catch (err) {
      this.phase = 'failed';
      await this.stop();
      this.phase = 'failed';
      throw err;
    }
  }

  /** Every supervised process with its health, restarts and uptime (registry, redis and nginx included). */
  status(): ClusterStatus {
    const entries = [...this.core, ...SERVICE_KINDS.flatMap((k) => this.services.get(k)!), ...(this.nginx ? [this.nginx] : [])];
    return {
      phase: this.phase,
      gateway: this.gatewayUrl,
      stateDir: this.cluster.stateDir,
      processes: entries.map(({ proc, health }) => {
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
          ...(h === 'crash-loop' || (down && info.lastExit) ? { lastLines: readLogTail(proc.spec.logFile, 5) } : {}),
        };
      }),
      ...(this.sync ? { proxySync: this.sync.status() } : {}),
    };
  }

  /** Sets the number of instances of a kind: new ones get free ids and ports; removed ones drain before stopping. */
  async scale(kind: ServiceKind, count: number): Promise<{ added: string[]; removed: string[] }> {
    this.assertRunning();
    const list = this.services.get(kind)!;
    const added: string[] = [];
    const removed: string[] = [];
    while (list.length < count) {
      const { id, port } = await this.freeSlot();
      this.progress(`scaling ${kind}: starting ${kind}-${id} on :${port}`);
      await this.startInstance(kind, id, port);
      added.push(`${kind}-${id}`);
    }
    if (list.length > count) {
      const victims = [...list].sort((a, b) => (b.proc.spec.id ?? 0) - (a.proc.spec.id ?? 0)).slice(0, list.length - count);
      this.progress(`scaling ${kind}: stopping ${victims.map((v) => v.proc.spec.name).join(', ')}`);
      await Promise.all(victims.map((v) => this.retire(kind, v)));
      removed.push(...victims.map((v) => v.proc.spec.name));
    }
    return { added, removed };
  }

  /**
   * Restarts every instance of a kind. Rolling: one at a time, a replacement (new id and port) is started, healthy,
   * registered and routed by nginx before the old instance deregisters, drains and stops. Otherwise all restart at once.
   */
  async restart(kind: ServiceKind, rolling: boolean): Promise<{ restarted: string[] }> {
    this.assertRunning();
    const list = [...this.services.get(kind)!];
    if (!rolling) {
      this.progress(`restarting ${kind} (all at once)`);
      await Promise.all(list.map((s) => s.proc.restart()));
      await Promise.all(list.map((s) => this.waitReady(s, kind)));
      return { restarted: list.map((s) => s.proc.spec.name) };
    }
    const restarted: string[] = [];
    for (const old of list) {
      const { id, port } = await this.freeSlot();
      this.progress(`rolling restart of ${kind}: ${kind}-${id} replaces ${old.proc.spec.name}`);
      await this.startInstance(kind, id, port);
      await this.retire(kind, old);
      restarted.push(old.proc.spec.name);
    }
    return { restarted };
  }

  /** Stops everything in reverse start order (nginx first, redis last); idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.phase !== 'failed') this.phase = 'stopping';
      this.emit('change');
      this.progress('stopping the cluster');
      const all = [...this.core, ...SERVICE_KINDS.flatMap((k) => this.services.get(k)!), ...(this.nginx ? [this.nginx] : [])];
      for (const s of all) s.health.stop();
      this.watch?.close();
      await this.sync?.close();
      const stop = (s: Supervised): { stop(): Promise<void> } => ({ stop: () => s.proc.stop() });
      await teardownInReverse([
        [this.core[0]].filter((s): s is Supervised => s !== undefined).map(stop),
        [this.core[1]].filter((s): s is Supervised => s !== undefined).map(stop),
        ...SERVICE_KINDS.map((k) => this.services.get(k)!.map(stop)),
        (this.nginx ? [this.nginx] : []).map(stop),
      ]);
      if (this.phase !== 'failed') this.phase = 'stopped';
      this.emit('change');
    })();
    return this.stopping;
  }

  private startProxySync(): void {
    const statusFile = proxySyncStatusPath(this.cluster.stateDir);
    this.sync = syncProxy({
      cluster: this.cluster,
      render: compileNginxTemplate(),
      log: this.options.log,
      onStatus: (status) => {
        writeFileSync(statusFile, JSON.stringify(status));
        this.emit('change');
      },
    });
    this.watch = watchRegistry({ registryUrl: registryUrlOf(this.cluster), log: this.options.log, onChange: (s) => this.sync?.update(s) });
  }

  private async startInstance(kind: ServiceKind, id: number, port: number): Promise<Supervised> {
    const list = this.services.get(kind)!;
    const entry = await this.launch(list, serviceSpec(this.cluster, kind, id, port), () => probeHttp(httpUrl(this.cluster.host, port, '/health')));
    await this.waitReady(entry, kind);
    return entry;
  }

  /** Healthy, registered, and (once the gateway runs) present in the applied nginx config. */
  private async waitReady(entry: Supervised, kind: ServiceKind): Promise<void> {
    const { id, port } = entry.proc.spec;
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 20_000);
    const registeredAt = await this.until(entry, `${kind}-${id} to register`, deadline, () => {
      const listed = this.watch?.current()?.services[kind]?.find((i) => i.id === id && i.port === port);
      return listed ? this.watch!.current()!.index : undefined;
    });
    if (!this.nginx) return;
    await this.sync!.flush();
    await this.until(entry, `nginx to route to ${kind}-${id}`, deadline, () => {
      const applied = this.sync!.status().appliedIndex;
      return applied !== undefined && applied >= registeredAt ? true : undefined;
    });
  }

  private async retire(kind: ServiceKind, entry: Supervised): Promise<void> {
    entry.health.stop();
    await entry.proc.stop();
    const list = this.services.get(kind)!;
    list.splice(list.indexOf(entry), 1);
    this.emit('change');
  }

  private async launch(group: Supervised[], spec: ProcessSpec, probe: () => Promise<boolean>): Promise<Supervised> {
    const proc = new ManagedProcess(spec, {
      spawn: this.spawn,
      signals: this.options.signals ?? systemSignals,
      policy: (this.options.policy ?? (() => restartOnCrash()))(),
    });
    proc.on('exit', ({ code, signal, expected }) => {
      if (expected) this.options.log.info(`${spec.name} stopped`, { code, signal });
      else this.options.log.warn(`${spec.name} exited unexpectedly`, { code, signal });
      this.emit('change');
    });
    proc.on('state', () => this.emit('change'));
    const health = restartOnHealthFailure({
      probe,
      isRunning: () => proc.state === 'running',
      restart: async () => {
        this.options.log.warn(`${spec.name} failed ${this.options.healthFailures ?? 3} health checks in a row, restarting`);
        await proc.restart();
      },
      intervalMs: this.options.healthIntervalMs ?? 1000,
      failuresBeforeRestart: this.options.healthFailures ?? 3,
      onHealth: () => this.emit('change'),
    });
    const entry = { proc, health };
    group.push(entry);
    proc.start();
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 20_000);
    await this.until(entry, `${spec.name} to become healthy`, deadline, async () => ((await probe()) ? true : undefined));
    health.markHealthy();
    return entry;
  }

  private async until<T>(entry: Supervised, what: string, deadline: number, check: () => T | undefined | Promise<T | undefined>): Promise<T> {
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      const info = entry.proc.info();
      if (this.stopping) throw new EcomError('cluster_stopping', `stopped while waiting for ${what}`);
      if (Date.now() > deadline || (info.crashLoop && info.state !== 'running')) {
        const tail = readLogTail(entry.proc.spec.logFile, 3).join(' | ');
        throw new EcomError('start_failed', `timed out waiting for ${what}${tail ? `; its log ends: ${tail}` : ''}`, {
          hint: `see ${entry.proc.spec.logFile}`,
        });
      }
      await sleep(50);
    }
  }

  private async freeSlot(): Promise<{ id: number; port: number }> {
    const all = SERVICE_KINDS.flatMap((k) => this.services.get(k)!).map((s) => s.proc.spec);
    const configured = SERVICE_KINDS.flatMap((k) => this.cluster.services[k].instances);
    const id = Math.max(0, ...all.map((s) => s.id ?? 0), ...configured.map((i) => i.id)) + 1;
    const servicePorts = [...all.map((s) => s.port), ...configured.map((i) => i.port)].filter((p): p is number => p !== undefined);
    const used = new Set([...servicePorts, this.cluster.gateway.port, this.cluster.iscs.port, this.cluster.redis.port]);
    let port = Math.max(5000, ...servicePorts) + 1;
    while (used.has(port) || !(await isPortFree(this.cluster.host, port))) port++;
    return { id, port };
  }

  private assertRunning(): void {
    if (this.phase !== 'running') throw new EcomError('cluster_not_running', `the cluster is ${this.phase}`);
  }

  private progress(message: string): void {
    this.options.log.info(message);
    this.emit('progress', message);
  }
}

