import { getPriority, setPriority } from 'node:os';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { SERVICE_KINDS } from '../config/defaults.js';
import { niceOfWeight } from '../runtime/apply-cpu-weight.js';
import type { PreflightCheck } from './check-preflight.js';

/**
 * `ecom doctor`'s word on the CPU weights: whether this user may give the cluster's processes the priorities their
 * weights ask for, found by raising this process's own priority that far and putting it back. Never a failure: without
 * it the cluster runs, at nice 0.
 */
export function checkCpuWeights(cluster: ClusterConfig): PreflightCheck {
  const name = 'cpu weights';
  if (cluster.runtime === 'docker') return { name, ok: true, detail: 'given to the containers as CpuShares' };
  const lowest = Math.min(niceOfWeight(cluster.gateway.cpuWeight), ...SERVICE_KINDS.map((kind) => niceOfWeight(cluster.services[kind].cpuWeight)));
  if (lowest >= 0) return { name, ok: true, detail: 'none above an ordinary process’s' };
  const before = getPriority();
  try {
    setPriority(lowest);
  } catch {
    return { name, ok: true, detail: `not applied: raising a priority to nice ${lowest} takes root or CAP_SYS_NICE; the cluster runs at nice 0` };
  }
  setPriority(before);
  return { name, ok: true, detail: `applied (nice down to ${lowest}; README, "Supervision")` };
}
