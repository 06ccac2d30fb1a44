import type { ClusterConfig } from '../config/cluster-schema.js';
import type { ServiceKind } from '../config/defaults.js';
import { gatewayMode } from '../gateway/detect-nginx-lua.js';

/** One thing the supervisor starts: a core process, the instances of a service kind, or the gateway. */
export type PlanStep = 'redis' | 'iscs' | ServiceKind | 'nginx' | 'prometheus';

/**
 * Start order by dependency: redis-server and the registry (they need nothing from each other), then every service
 * kind at once — they find each other through the registry when a request first needs a peer, and log lines wait in
 * each instance's shipping buffer until a logger is registered — then nginx. Every member of a level is healthy and
 * registered before the next level starts. Stop is the same list reversed.
 */
export const START_PLAN: ReadonlyArray<readonly PlanStep[]> = [['redis', 'iscs'], ['logger', 'user', 'product', 'order'], ['nginx']];

/** Every step any cluster may have: the start plan's and Prometheus. */
export const ALL_STEPS: readonly PlanStep[] = [...START_PLAN.flat(), 'prometheus'];

/**
 * A cluster's start plan: START_PLAN, with Prometheus beside nginx when the cluster file enables it. `together`
 * (local processes behind the Lua gateway) starts every step at once: an instance registers once the registry
 * answers (it retries until then), nginx starts on the registry's first listing and is handed each instance as it
 * registers, so no step waits for the slowest member of another. The stop order stays by dependency (stopPlan).
 */
export function startPlan(cluster: { prometheus: { enabled: boolean } }, options: { together?: boolean } = {}): ReadonlyArray<readonly PlanStep[]> {
  const plan = cluster.prometheus.enabled
    ? START_PLAN.map((level, i): readonly PlanStep[] => (i === START_PLAN.length - 1 ? [...level, 'prometheus'] : level))
    : START_PLAN;
  return options.together ? [plan.flat()] : plan;
}

/** The stop order: the start plan (START_PLAN by default) last level first (nginx first, redis and the registry last). */
export function stopPlan(plan: ReadonlyArray<readonly PlanStep[]> = START_PLAN): ReadonlyArray<readonly PlanStep[]> {
  return [...plan].reverse();
}

/** Runs `each` on every step of `levels` in turn: the members of a level in parallel, a level only after the one before is done. */
export async function runLevels(levels: ReadonlyArray<readonly PlanStep[]>, each: (step: PlanStep) => Promise<void>): Promise<void> {
  for (const level of levels) await Promise.all(level.map(each));
}

/**
 * Whether a cluster starts every step at once (startPlan's `together`): behind the Lua gateway, local processes and
 * containers alike (the docker runtime's nginx shares the host's network and is handed container addresses the same way).
 */
export function startsTogether(cluster: ClusterConfig): boolean {
  return gatewayMode(cluster).kind === 'lua';
}
