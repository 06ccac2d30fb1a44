import type { ClusterConfig } from '../../cluster/cluster-schema.js';
import type { ServiceKind } from '../../cluster/defaults.js';

/** One reachable instance of a service. */
export interface PeerInstance {
  id: number;
  host: string;
  port: number;
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
