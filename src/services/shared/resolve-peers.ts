import type { ClusterConfig } from '../../config/cluster-schema.js';
import type { ServiceKind } from '../../config/defaults.js';
import type { RegistryWatch } from '../../registry/watch-registry.js';

/** One reachable instance of a service. */
export interface PeerInstance {
  id: number;
  host: string;
  port: number;
  /** What the instance registered besides its address (its `pid`, for one). */
  meta?: Record<string, string>;
}

/** Answers "which instances of KIND are there right now". */
export interface PeerResolver {
  list(kind: ServiceKind): readonly PeerInstance[];
  close(): void;
}

/** Resolves peers from the cluster file's static instance lists. */
export function resolvePeersFromConfig(cluster: ClusterConfig): PeerResolver {
  return {
    list: (kind) => cluster.services[kind].instances.map(({ id, port }) => ({ id, host: cluster.host, port })),
    close: () => undefined,
  };
}

/**
 * Resolves peers from a cached watch of the registry. Until the registry has answered once (no registry running,
 * as when services are started by hand without one) the cluster file's instances are used.
 */
export function resolvePeersFromRegistry(watch: RegistryWatch, fallback: PeerResolver): PeerResolver {
  return {
    list(kind) {
      const snapshot = watch.current();
      return snapshot ? (snapshot.services[kind] ?? []) : fallback.list(kind);
    },
    close: () => watch.close(),
  };
}
