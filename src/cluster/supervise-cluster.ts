import { EventEmitter } from 'node:events';
import { EcomError } from '../common/ecom-error.js';
import { httpUrl } from '../common/http-url.js';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { gatewayUrlOf } from '../config/cluster-urls.js';
import { SERVICE_KINDS, SUPERVISOR_TIMINGS, type ServiceKind, type SupervisorTimings } from '../config/defaults.js';
import { stateLayout } from '../config/state-layout.js';
import { ClusterGateway } from './cluster-gateway.js';
import type { Logger } from '../kit/create-logger.js';
import { clusterRuntime } from './run-prometheus-on-host.js';
import type { InstanceSpec, Runtime } from '../runtime/runtime.js';
import { clusterSlotAllocator, withSlot, type SlotAllocator } from './allocate-slots.js';
import { coreStep, isCoreStep } from './core-step.js';
import { clusterRotation } from './leave-rotation.js';
import { probeHttp } from './probe-health.js';
import { serviceSpec } from './process-specs.js';
import { projectStatus, type ClusterStatus, type SupervisorPhase } from './project-status.js';
import type { RestartPolicy } from './restart-on-crash.js';
import { restartInstances } from './restart-instances.js';
import { scaleInstances } from './scale-instances.js';
import { ALL_STEPS, runLevels, startPlan, startsTogether, stopPlan, type PlanStep } from './start-plan.js';
import { superviseProcess, type SuperviseDeps, type Supervised } from './supervise-process.js';
import { waitHealthy, waitRegisteredAndRouted, type ReadyContext } from './wait-ready.js';

/** What the supervisor runs on and how patient it is; defaults suit the default cluster. */
export interface SupervisorOptions {
  log: Logger;
  /** How instances run (local process groups by default). */
  runtime?: Runtime;
  policy?: () => RestartPolicy;
  timings?: Partial<SupervisorTimings>;
}

/**
 * The supervisor: starts the cluster level by level (start-plan), restarts whatever exits or fails its health checks, scales and restarts services live,
 * and stops everything in reverse order. Emits `progress` (a human line) while starting and stopping, and `change` whenever a process changes state.
 */
export class ClusterSupervisor extends EventEmitter<{ progress: [string]; change: [] }> {
  phase: SupervisorPhase = 'starting';
  private readonly groups = new Map<PlanStep, Supervised[]>(ALL_STEPS.map((step) => [step, []]));
  private readonly gateway = new ClusterGateway();
  private readonly startGateway = (): unknown => this.gateway.start(this.cluster, this.deps.runtime.listenHost, this.deps.log, () => this.emit('change'));
  private readonly together: boolean; // every step starts at once (startPlan): instances then wait for nginx to route them
  private stopping: Promise<void> | undefined;
  private readonly deps: SuperviseDeps;
  private readonly ready: ReadyContext;
  private readonly slots: SlotAllocator;

  constructor(
    readonly cluster: ClusterConfig,
    private readonly options: SupervisorOptions,
  ) {
    super();
    const timings = { ...SUPERVISOR_TIMINGS, ...options.timings };
    this.deps = {
      runtime: clusterRuntime(options.runtime, stateLayout(cluster.stateDir).pids),
      log: options.log,
      timings,
      policy: options.policy,
      onChange: () => this.emit('change'),
      rotation: clusterRotation(cluster, options.log, (service) => this.groups.get(service as PlanStep) ?? []),
    };
    this.ready = { timings, stopping: () => this.stopping !== undefined };
    this.together = startsTogether(cluster);
    this.slots = clusterSlotAllocator(cluster, () => SERVICE_KINDS.flatMap((k) => this.groups.get(k)!.map((e) => e.proc.spec)));
  }

  /** Brings the whole cluster up; on failure stops what it started and throws naming the process and its log. */
  async start(): Promise<void> {
    try {
      // Every process is spawned before the gateway (started here when all start at once) compiles its template.
      const started = runLevels(startPlan(this.cluster, { together: this.together }), (step) => this.startStep(step));
      if (this.together) this.startGateway();
      await started;
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
    const { phase, cluster } = this;
    return projectStatus({ phase, gateway: gatewayUrlOf(cluster), stateDir: cluster.stateDir, proxySync: this.gateway.current?.sync.status() }, this.entries());
  }

  /** Sets the number of instances of a kind: new ones get free ids and ports; removed ones drain before stopping. */
  async scale(kind: ServiceKind, count: number): Promise<{ added: string[]; removed: string[] }> {
    this.assertRunning();
    const list = this.groups.get(kind)!;
    const starting = (id: number, port: number): string => `scaling ${kind}: starting ${kind}-${id} on :${port}`;
    return scaleInstances(list, count, {
      startOne: () => this.startScaled(kind, starting, () => list.length >= count),
      retire: (entry) => this.retire(kind, entry),
      nameOf: (entry) => entry.proc.spec.name,
      idOf: (entry) => entry.proc.spec.id ?? 0,
      progress: (line) => this.progress(`scaling ${kind}: ${line}`),
    });
  }

  /**
   * Restarts every instance of a kind. Rolling: one at a time, a replacement (new id and port) is started, healthy, registered and routed
   * by nginx before the old instance deregisters, drains and stops. Otherwise all restart at once. */
  async restart(kind: ServiceKind, rolling: boolean): Promise<{ restarted: string[] }> {
    this.assertRunning();
    const list = [...this.groups.get(kind)!];
    if (!rolling) this.progress(`restarting ${kind} (all at once)`);
    await restartInstances(list, rolling, {
      startReplacement: (old) => this.startScaled(kind, (id) => `rolling restart of ${kind}: ${kind}-${id} replaces ${old.proc.spec.name}`),
      retire: (old) => this.retire(kind, old),
      restartInPlace: async (entry) => {
        await entry.proc.restart();
        await this.waitRouted(entry);
      },
    });
    return { restarted: list.map((s) => s.proc.spec.name) };
  }

  /** Stops everything in reverse start order (nginx first, redis and the registry last); idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.phase !== 'failed') this.phase = 'stopping';
      this.emit('change');
      this.progress('stopping the cluster');
      for (const entry of this.entries()) entry.health.stop();
      await this.gateway.current?.close();
      await runLevels(stopPlan(startPlan(this.cluster)), async (step) => void (await Promise.all(this.groups.get(step)!.map((e) => e.stop()))));
      if (this.phase !== 'failed') this.phase = 'stopped';
      this.emit('change');
    })();
    return this.stopping;
  }

  private async startStep(step: PlanStep): Promise<void> {
    const c = this.cluster;
    if (isCoreStep(step)) {
      const { line, spec, probe } = coreStep(c, step);
      this.progress(line);
      if (step === 'nginx') await (await this.gateway.ready).serve(() => this.launch(step, spec, probe));
      else await this.launch(step, spec, probe);
      if (step === 'iscs') this.startGateway();
    } else {
      const instances = c.services[step].instances;
      if (instances.length === 0) return;
      this.progress(`starting ${step} ×${instances.length} (${instances.map((i) => `:${i.port}`).join(' ')})`);
      await Promise.all(instances.map((inst) => this.startInstance(step, inst.id, inst.port)));
    }
  }

  /** Starts one more instance on a fresh slot (withSlot); its name, or undefined when `enough()` already held. */
  private startScaled(kind: ServiceKind, line: (id: number, port: number) => string, enough = (): boolean => false): Promise<string | undefined> {
    return withSlot(this.slots, enough, async ({ id, port }) => {
      this.progress(line(id, port));
      await this.startInstance(kind, id, port);
      return `${kind}-${id}`;
    });
  }

  private async startInstance(kind: ServiceKind, id: number, port: number): Promise<void> {
    const entry = await this.launch(kind, serviceSpec(this.cluster, kind, id, port), () => probeHttp(httpUrl(this.cluster.host, port, '/health')));
    await this.waitRouted(entry);
  }

  /** Registered, and routed by nginx once nginx runs (or, starting all at once, once it starts). */
  private async waitRouted(entry: Supervised): Promise<void> {
    const gateway = await this.gateway.ready;
    const routed = (this.together && this.phase === 'starting') || this.groups.get('nginx')!.length > 0;
    return waitRegisteredAndRouted(entry, this.ready, gateway.watch, routed ? gateway.sync : undefined);
  }

  private async launch(step: PlanStep, spec: InstanceSpec, probe: () => Promise<boolean>): Promise<Supervised> {
    const entry = superviseProcess(spec, probe, this.deps);
    this.groups.get(step)!.push(entry);
    await waitHealthy(entry, this.ready);
    return entry;
  }

  private async retire(kind: ServiceKind, entry: Supervised): Promise<void> {
    await entry.stop();
    const list = this.groups.get(kind)!;
    list.splice(list.indexOf(entry), 1);
    this.emit('change');
  }

  private readonly entries = (): Supervised[] => ALL_STEPS.flatMap((step) => this.groups.get(step)!);

  private assertRunning(): void {
    if (this.phase !== 'running') throw new EcomError('cluster_not_running', `the cluster is ${this.phase}`);
  }

  private progress(message: string): void {
    this.options.log.info(message);
    this.emit('progress', message);
  }
}
