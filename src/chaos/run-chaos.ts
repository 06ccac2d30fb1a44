import { setTimeout as sleep } from 'node:timers/promises';
import { callControl } from '../cluster/call-control.js';
import type { ClusterStatus } from '../cluster/project-status.js';
import { connectForInspection, readEvents } from '../cluster/read-events.js';
import { EcomError } from '../common/ecom-error.js';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { gatewayUrlOf, registryUrlOf } from '../config/cluster-urls.js';
import { ensureCredentials } from '../config/ensure-credentials.js';
import { stateLayout } from '../config/state-layout.js';
import { routedUpstreamsText } from '../gateway/build-peer-table.js';
import { buildScenario, type ScenarioName } from '../overload/build-scenario.js';
import { toReport, type LoadReport } from '../overload/load-report.js';
import type { LoadSnapshot } from '../overload/load-snapshot.js';
import { runLoad } from '../overload/run-load.js';
import { readRegistry } from '../registry/read-registry.js';
import { checkOrders, checkStock, readStockLedger } from './audit-stock.js';
import type { Invariant } from './chaos-invariant.js';
import { checkCluster } from './check-cluster.js';
import { checkEvents, eventsSettled } from './check-events.js';
import { createFaultEffects } from './create-fault-effects.js';
import { injectFault, type FaultTimings, type InjectedFault } from './inject-fault.js';
import { planFaults, type FaultKind } from './plan-faults.js';
import { recordRequests, type FailedRequest } from './record-requests.js';

/** What `ecom chaos` was asked to do, validated. */
export interface ChaosPlan {
  durationMs: number;
  rate: number;
  scenario: ScenarioName;
  everyMs: number;
  seed: number;
  kinds: FaultKind[];
  concurrency: number;
  timeoutMs: number;
  /** How long to wait after the load for the cluster to settle before the audit. */
  settleMs: number;
  timings: FaultTimings;
}

/** The chaos report (`--json`): the load, each fault, each failed request, and every invariant. */
export interface ChaosReport {
  ok: boolean;
  seed: number;
  scenario: string;
  rate: number;
  durationMs: number;
  everyMs: number;
  load: Omit<LoadReport, 'thresholds'>;
  faults: InjectedFault[];
  failures: FailedRequest[];
  invariants: Invariant[];
}

/** What the run tells its caller as it goes; the CLI draws it. */
export interface ChaosProgress {
  onSnapshot(snapshot: LoadSnapshot): void;
  onFault(fault: InjectedFault): void;
  onPhase(line: string): void;
}

/**
 * Runs open-model load against the running cluster while injecting the planned faults, then waits for the cluster
 * to settle and audits it: failed requests, stock conservation, orders, events, and the cluster's own state.
 */
export async function runChaos(cluster: ClusterConfig, plan: ChaosPlan, progress: ChaosProgress, signal: AbortSignal): Promise<ChaosReport> {
  const layout = stateLayout(cluster.stateDir);
  const status = (): Promise<ClusterStatus> => callControl<ClusterStatus>(layout.socket, { cmd: 'status' }, undefined, 10_000);
  let initial: ClusterStatus;
  try {
    initial = await status();
  } catch (cause) {
    throw new EcomError('cluster_not_running', `no cluster is running for ${cluster.stateDir}`, {
      cause,
      hint: 'start it with `ecom up -d` (and `ecom seed`)',
    });
  }
  if (initial.phase !== 'running') throw new EcomError('cluster_not_running', `the cluster is ${initial.phase}`);
  const { clusterToken } = ensureCredentials(cluster.stateDir);
  const effects = createFaultEffects(clusterToken);
  const files = { product: layout.database('product'), order: layout.database('order') };
  const before = readStockLedger(files, Number.MAX_SAFE_INTEGER);
  const requests = recordRequests();
  const faults: InjectedFault[] = [];
  const timers: NodeJS.Timeout[] = [];
  let loadStartedAt = 0;
  const schedule = planFaults({ seed: plan.seed, durationMs: plan.durationMs, everyMs: plan.everyMs, kinds: plan.kinds });

  const fire = async (kind: FaultKind, pick: number): Promise<void> => {
    const atMs = Date.now() - loadStartedAt;
    let fault: InjectedFault;
    try {
      const now = await status();
      fault = await injectFault({ kind, pick, atMs, processes: now.processes, host: cluster.host, effects, timings: plan.timings });
    } catch (err) {
      fault = { kind, atMs, endsAtMs: atMs, skipped: `could not inject: ${err instanceof Error ? err.message : String(err)}` };
    }
    faults.push(fault);
    progress.onFault(fault);
  };

  progress.onPhase(`chaos: ${plan.rate} req/s of ${plan.scenario} for ${plan.durationMs / 1000}s, a fault every ${plan.everyMs / 1000}s (seed ${plan.seed})`);
  let final: LoadSnapshot;
  try {
    final = await runLoad({
      origin: gatewayUrlOf(cluster),
      scenario: buildScenario(plan.scenario),
      concurrency: plan.concurrency,
      rate: plan.rate,
      durationMs: plan.durationMs,
      timeoutMs: plan.timeoutMs,
      signal,
      onSnapshot: progress.onSnapshot,
      onOutcome: requests.record,
      onStart() {
        loadStartedAt = Date.now();
        requests.start(loadStartedAt);
        for (const f of schedule) timers.push(setTimeout(() => void fire(f.kind, f.pick), f.atMs));
      },
    });
  } finally {
    for (const t of timers) clearTimeout(t);
    effects.settle(); // a paused process is never left behind, whatever happened to the run
  }

  progress.onPhase(`load done; waiting up to ${plan.settleMs / 1000}s for the cluster to settle`);
  const redis = await connectForInspection(cluster);
  try {
    const deadline = Date.now() + plan.settleMs;
    let after = readStockLedger(files, before.lastOrderSeq);
    let now = await status();
    let events = await readEvents(cluster, redis, 0);
    for (;;) {
      const healthy = now.processes.every((p) => p.health === 'healthy') && now.processes.length === initial.processes.length;
      const settled = healthy && eventsSettled(events) && !after.orders.some((o) => o.status === 'pending');
      if (settled || Date.now() > deadline || signal.aborted) break;
      await sleep(500);
      [after, now, events] = [readStockLedger(files, before.lastOrderSeq), await status(), await readEvents(cluster, redis, 0)];
    }
    const registry = await readRegistry(registryUrlOf(cluster));
    const failures = requests.failures(faults);
    const invariants: Invariant[] = [
      {
        name: 'failed requests',
        ok: failures.length === 0,
        detail: failures.length === 0 ? `0 of ${final.completed} requests failed` : `${failures.length} of ${final.completed} requests failed`,
        ...(failures.length ? { items: failures.slice(0, 50) } : {}),
      },
      checkStock(before, after),
      checkOrders(requests.answeredOrderKeys(), after),
      checkEvents(events),
      checkCluster({ status: now, expected: initial.processes.length, registry, nginxConf: routedUpstreamsText(layout.nginx) }),
    ];
    return {
      ok: invariants.every((i) => i.ok),
      seed: plan.seed,
      scenario: plan.scenario,
      rate: plan.rate,
      durationMs: plan.durationMs,
      everyMs: plan.everyMs,
      load: toReport(final),
      faults,
      failures,
      invariants,
    };
  } finally {
    redis.disconnect();
  }
}
