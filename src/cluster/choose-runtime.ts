import { existsSync } from 'node:fs';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { SERVICE_KINDS } from '../config/defaults.js';
import { dockerStateFile } from '../runtime/docker/docker-names.js';
import type { Runtime } from '../runtime/runtime.js';
import { iscsSpec, redisSpec, serviceSpec } from './process-specs.js';

/**
 * The cluster file's `runtime`: nothing for `process` (the supervisor's default), the docker runtime for `docker`
 * (engine checked, images found, network created; loaded only then, so process clusters never load dockerode).
 * The docker runtime starts the containers of redis-server, the registry and every service instance at once: the
 * supervisor still waits level by level, but the engine's start-up of a container is no longer paid once per level.
 */
export async function chooseRuntime(cluster: ClusterConfig, options: { onProgress?: (line: string) => void } = {}): Promise<Runtime | undefined> {
  if (cluster.runtime !== 'docker') return undefined;
  const { prepareDockerRuntime } = await import('../runtime/docker/prepare-docker-runtime.js');
  options.onProgress?.('preparing the docker runtime (engine, images, network)');
  const runtime = await prepareDockerRuntime(cluster, options);
  const services = SERVICE_KINDS.flatMap((kind) => cluster.services[kind].instances.map((i) => serviceSpec(cluster, kind, i.id, i.port)));
  runtime.prestart([redisSpec(cluster), iscsSpec(cluster), ...services]);
  return runtime;
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
