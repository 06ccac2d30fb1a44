import { existsSync } from 'node:fs';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { dockerStateFile } from '../runtime/docker/docker-names.js';
import type { Runtime } from '../runtime/runtime.js';

/**
 * The cluster file's `runtime`: nothing for `process` (the supervisor's default), the docker runtime for `docker`
 * (engine checked, images found, network created; loaded only then, so process clusters never load dockerode).
 */
export async function chooseRuntime(cluster: ClusterConfig, options: { onProgress?: (line: string) => void } = {}): Promise<Runtime | undefined> {
  if (cluster.runtime !== 'docker') return undefined;
  const { prepareDockerRuntime } = await import('../runtime/docker/prepare-docker-runtime.js');
  options.onProgress?.('preparing the docker runtime (engine, images, network)');
  return prepareDockerRuntime(cluster, options);
}

/** `ecom down`'s last step: remove what a docker cluster left on its engine (containers, network); none for process clusters. */
export async function sweepRuntime(stateDir: string, onProgress?: (line: string) => void): Promise<string[]> {
  if (!existsSync(dockerStateFile(stateDir))) return [];
  const { sweepDocker } = await import('../runtime/docker/sweep-docker.js');
  return sweepDocker(stateDir, onProgress).catch((err: unknown) => {
    onProgress?.(`could not clean up the docker engine: ${err instanceof Error ? err.message : String(err)}`);
    return [];
  });
}
