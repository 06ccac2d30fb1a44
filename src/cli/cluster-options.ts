import type { Command } from 'commander';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { loadClusterFile } from '../config/load-cluster-file.js';
import { stateLayout } from '../config/state-layout.js';

/** Adds `-c, --config FILE` (every command that acts on a cluster takes it). */
export function withClusterFile(cmd: Command): Command {
  return cmd.option('-c, --config <file>', 'cluster file (JSON or YAML)', 'config.json');
}

/** Loads the cluster file named by `-c` and the socket path of its daemon. */
export function clusterFrom(opts: { config: string }): { cluster: ClusterConfig; socket: string } {
  const cluster = loadClusterFile(opts.config);
  return { cluster, socket: stateLayout(cluster.stateDir).socket };
}
