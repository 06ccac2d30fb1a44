import { isClusterPeer } from '../../config/cluster-hosts.js';
import type { ClusterConfig } from '../../config/cluster-schema.js';
import type { ServiceKind } from '../../config/defaults.js';
import type { Logger } from '../../kit/create-logger.js';
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
 *
 * The listing is not authenticated, and peers are sent the cluster token: only instances on a host the cluster itself
 * uses (the cluster file's `host`, or loopback) are returned. Any other is ignored, with one warning per instance.
 */
export function resolvePeersFromRegistry(watch: RegistryWatch, fallback: PeerResolver, options: { cluster: ClusterConfig; log: Logger }): PeerResolver {
  const warned = new Set<string>();
  const ours =
    (kind: ServiceKind) =>
    (peer: PeerInstance): boolean => {
      if (isClusterPeer(options.cluster, peer.host)) return true;
      const key = `${kind}-${peer.id}@${peer.host}:${peer.port}`;
      if (!warned.has(key)) {
        warned.add(key);
        options.log.warn('ignoring a listed peer on a host the cluster does not use; no request or token goes there', {
          peer: `${kind}-${peer.id}`,
          host: peer.host,
          port: peer.port,
          clusterHost: options.cluster.host,
        });
      }
      return false;
    };
  return {
    list(kind) {
      const snapshot = watch.current();
      return snapshot ? (snapshot.services[kind] ?? []).filter(ours(kind)) : fallback.list(kind);
    },
    close: () => watch.close(),
  };
}
