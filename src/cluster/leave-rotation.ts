import { callRegistry } from '../registry/call-registry.js';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { registryUrlOf } from '../config/cluster-urls.js';
import { ensureCredentials } from '../config/ensure-credentials.js';
import type { Logger } from '../kit/create-logger.js';
import type { InstanceSpec } from '../runtime/runtime.js';
import type { Health } from './restart-on-health-failure.js';

/** An instance as the rotation guard sees it. */
export interface RotationPeer {
  name: string;
  health: Health;
}

/**
 * Whether an instance that just failed a check may leave the rotation: only when another instance of its kind is
 * healthy to take its requests (a stall of the whole machine must not empty a route).
 */
export function mayLeaveRotation(name: string, peers: readonly RotationPeer[]): boolean {
  return peers.some((p) => p.name !== name && p.health === 'healthy');
}

/** Takes instances out of the registry, so the gateway and the services' peer lists drop them. */
export interface Rotation {
  /** After a failed check: deregisters when `mayLeaveRotation`; the instance registers again once it answers. */
  leave(spec: InstanceSpec): Promise<void>;
  /** After a kill: deregisters whatever the peers' health (the instance is gone, its entry would wait for the TTL). */
  remove(spec: InstanceSpec): Promise<void>;
}

/**
 * Rotation through the registry: `DELETE /v1/instances/{service}/{id}` with the cluster token (an instance whose
 * heartbeat is answered 404 registers again by itself). Processes without an id (redis, the registry, nginx) are
 * left alone. Never throws: a registry that does not answer leaves eviction to the TTL.
 */
export function registryRotation(options: {
  registryUrl: string;
  clusterToken: () => string;
  peers: (service: string) => readonly RotationPeer[];
  log: Logger;
  timeoutMs?: number;
}): Rotation {
  const deregister = async (spec: InstanceSpec, why: string): Promise<void> => {
    if (spec.id === undefined) return;
    try {
      const res = await callRegistry(options.registryUrl, `/v1/instances/${spec.service}/${spec.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${options.clusterToken()}` },
        timeoutMs: options.timeoutMs ?? 1000,
      });
      if (res.status !== 204) throw new Error(`registry answered ${res.status}`);
      options.log.info(`${spec.name} taken out of the registry (${why})`);
    } catch (err) {
      options.log.warn(`could not take ${spec.name} out of the registry`, { error: err instanceof Error ? err.message : String(err) });
    }
  };
  return {
    async leave(spec) {
      if (spec.id === undefined) return;
      if (!mayLeaveRotation(spec.name, options.peers(spec.service))) {
        options.log.warn(`${spec.name} failed a health check; kept in rotation, no other ${spec.service} instance is healthy`);
        return;
      }
      await deregister(spec, 'failed a health check');
    },
    remove: (spec) => deregister(spec, 'killed'),
  };
}

/** The cluster's rotation: its registry, its token (read when needed), and the supervised instances of each kind. */
export function clusterRotation(
  cluster: ClusterConfig,
  log: Logger,
  instancesOf: (service: string) => ReadonlyArray<{ proc: { spec: InstanceSpec }; health: { health(): Health } }>,
): Rotation {
  return registryRotation({
    registryUrl: registryUrlOf(cluster),
    clusterToken: () => ensureCredentials(cluster.stateDir).clusterToken,
    peers: (service) => instancesOf(service).map((e) => ({ name: e.proc.spec.name, health: e.health.health() })),
    log,
  });
}
