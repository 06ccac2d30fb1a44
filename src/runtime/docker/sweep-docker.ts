import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dockerClient } from './connect-docker.js';
import { removeNetwork } from './cluster-network.js';
import { CLUSTER_LABEL, dockerStateFile, INSTANCE_LABEL } from './docker-names.js';

/**
 * What `ecom down` does for a docker cluster whose daemon is gone (or left things behind): removes every container
 * labelled with the cluster's id and its network, from `<stateDir>/docker.json`. Returns the instances removed;
 * nothing for a process cluster.
 */
export async function sweepDocker(stateDir: string, onProgress?: (line: string) => void): Promise<string[]> {
  const file = dockerStateFile(stateDir);
  if (!existsSync(file)) return [];
  const state = JSON.parse(readFileSync(file, 'utf8')) as { socket: string; network: string; clusterId: string };
  const docker = await dockerClient(state.socket);
  const containers = await docker.listContainers({ all: true, filters: { label: [`${CLUSTER_LABEL}=${state.clusterId}`] } });
  const removed = await Promise.all(
    containers.map(async (c) => {
      const name = c.Labels[INSTANCE_LABEL] ?? c.Names[0] ?? c.Id;
      onProgress?.(`removing container ${name}`);
      await docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined);
      return name;
    }),
  );
  if (await removeNetwork(docker, state.network)) onProgress?.(`removed network ${state.network}`);
  rmSync(file, { force: true });
  return removed;
}
