import { httpUrl } from '../common/http-url.js';
import type { FaultKind } from './plan-faults.js';

/** What a fault needs to know of one running process (a line of `ecom status --json`). */
export interface FaultProcess {
  service: string;
  id: number | null;
  pid: number | null;
  port: number | null;
  health: string;
}

/** A fault as it happened (or why it could not), for the live output and the report. */
export interface InjectedFault {
  kind: FaultKind;
  atMs: number;
  /** e.g. `product-2`, `redis`, `nginx`; absent when skipped. */
  target?: string;
  /** Until when the fault itself lasts (pause, added latency); instant faults end where they start. */
  endsAtMs: number;
  skipped?: string;
}

/** How faults reach processes; injected so the choice of targets is testable without signals. */
export interface FaultEffects {
  signal(pid: number, signal: NodeJS.Signals): void;
  /** Asks one instance to add latency to its API requests (`PUT /internal/faults`). */
  slowDown(url: string, latencyMs: number, forMs: number): Promise<void>;
  /** Waits, then runs `then` (a paused process is resumed this way). */
  later(ms: number, then: () => void): void;
}

/** How long a pause and an added latency last, and how much latency. */
export interface FaultTimings {
  pauseMs: number;
  slowMs: number;
  latencyMs: number;
}

const SERVICE_KINDS = new Set(['product', 'user', 'order', 'logger']);

/**
 * Instances a fault may hit without failing requests by design: healthy instances of a kind that has another healthy
 * instance to take over, and the logger (nothing a client waits for depends on it).
 */
export function faultableInstances(processes: readonly FaultProcess[]): FaultProcess[] {
  const healthy = processes.filter((p) => SERVICE_KINDS.has(p.service) && p.health === 'healthy' && p.pid !== null);
  const perKind = new Map<string, number>();
  for (const p of healthy) perKind.set(p.service, (perKind.get(p.service) ?? 0) + 1);
  return healthy.filter((p) => p.service === 'logger' || (perKind.get(p.service) ?? 0) >= 2);
}

const nameOf = (p: FaultProcess): string => (p.id === null ? p.service : `${p.service}-${p.id}`);

/** Injects one fault into the running cluster; `pick` in [0, 1) chooses among eligible targets. */
export async function injectFault(input: {
  kind: FaultKind;
  pick: number;
  atMs: number;
  processes: readonly FaultProcess[];
  host: string;
  effects: FaultEffects;
  timings: FaultTimings;
}): Promise<InjectedFault> {
  const { kind, atMs, effects, timings } = input;
  const one = (service: string): FaultProcess | undefined => input.processes.find((p) => p.service === service && p.pid !== null);
  const instances = faultableInstances(input.processes);
  const instance = instances[Math.floor(input.pick * instances.length)];
  const skip = (why: string): InjectedFault => ({ kind, atMs, endsAtMs: atMs, skipped: why });
  const done = (target: FaultProcess, lastsMs = 0): InjectedFault => ({ kind, atMs, target: nameOf(target), endsAtMs: atMs + lastsMs });
  switch (kind) {
    case 'kill-instance':
    case 'term-instance':
    case 'pause-instance':
    case 'slow-instance': {
      if (!instance) return skip('no kind has two healthy instances (scale one up, e.g. `ecom scale product=2`)');
      const pid = instance.pid!;
      if (kind === 'kill-instance') effects.signal(pid, 'SIGKILL');
      if (kind === 'term-instance') effects.signal(pid, 'SIGTERM');
      if (kind === 'pause-instance') {
        effects.signal(pid, 'SIGSTOP');
        effects.later(timings.pauseMs, () => effects.signal(pid, 'SIGCONT'));
        return done(instance, timings.pauseMs);
      }
      if (kind === 'slow-instance') {
        await effects.slowDown(httpUrl(input.host, instance.port!), timings.latencyMs, timings.slowMs);
        return done(instance, timings.slowMs);
      }
      return done(instance);
    }
    case 'kill-redis':
    case 'restart-registry':
    case 'reload-gateway': {
      const service = kind === 'kill-redis' ? 'redis' : kind === 'restart-registry' ? 'iscs' : 'nginx';
      const target = one(service);
      if (!target) return skip(`${service} is not running`);
      effects.signal(target.pid!, kind === 'kill-redis' ? 'SIGKILL' : kind === 'restart-registry' ? 'SIGTERM' : 'SIGHUP');
      return done(target);
    }
  }
}
