import type { ClusterStatus } from '../cluster/project-status.js';
import type { RegistrySnapshot } from '../registry/registry-state.js';
import type { Invariant } from './chaos-invariant.js';

/** `kind-id host:port` for every instance a listing names, sorted. */
function addressesOf(snapshot: RegistrySnapshot): string[] {
  return Object.entries(snapshot.services)
    .flatMap(([kind, list]) => list.map((i) => `${kind}-${i.id} ${i.host}:${i.port}`))
    .sort();
}

/** `kind-id host:port` for every upstream server of a rendered nginx.conf (the template tags each with its name). */
export function upstreamsOf(nginxConf: string): string[] {
  return [...nginxConf.matchAll(/^\s*server (\S+) [^\n]*# ([a-z]+-\d+)$/gm)].map((m) => `${m[2]} ${m[1]!.replace(/^\[(.*)\]/, '$1')}`).sort();
}

/**
 * The cluster after the run: every process healthy, no process left over or missing against the supervisor's own
 * list, and the gateway routing to exactly the instances the registry lists.
 */
export function checkCluster(input: { status: ClusterStatus; expected: number; registry: RegistrySnapshot; nginxConf: string }): Invariant {
  const problems: string[] = [];
  if (input.status.phase !== 'running') problems.push(`the supervisor is ${input.status.phase}`);
  for (const p of input.status.processes) {
    if (p.health !== 'healthy') problems.push(`${p.id === null ? p.service : `${p.service}-${p.id}`} is ${p.health}`);
  }
  if (input.status.processes.length !== input.expected) {
    problems.push(`${input.status.processes.length} processes supervised, ${input.expected} expected`);
  }
  const listed = addressesOf(input.registry);
  const routed = upstreamsOf(input.nginxConf);
  const missing = listed.filter((a) => !routed.includes(a));
  const stale = routed.filter((a) => !listed.includes(a));
  if (missing.length) problems.push(`registered but not routed: ${missing.join(', ')}`);
  if (stale.length) problems.push(`routed but not registered: ${stale.join(', ')}`);
  return {
    name: 'cluster afterwards',
    ok: problems.length === 0,
    detail:
      problems.length === 0
        ? `${input.status.processes.length} processes healthy; registry and gateway agree on ${listed.length} instances`
        : problems.join('; '),
    ...(problems.length ? { items: problems } : {}),
  };
}
