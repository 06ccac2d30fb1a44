import { rmSync, writeFileSync } from 'node:fs';
import { readBuildInfo } from '../../common/describe-build.js';
import type { ClusterConfig } from '../../config/cluster-schema.js';
import type { Runtime } from '../runtime.js';
import { ensureImages } from './build-images.js';
import { createClusterNetwork, removeNetwork } from './cluster-network.js';
import { connectDocker } from './connect-docker.js';
import { clusterIdOf, dockerStateFile, networkNameOf, type ImageTags } from './docker-names.js';
import { dockerRuntime } from './docker-runtime.js';
import { locateAppBinary } from './locate-app-binary.js';

/** The cluster's images on its engine: built when missing with `build`, else `docker_image_missing`. */
export async function clusterImages(
  cluster: ClusterConfig,
  options: { build: boolean; base?: string; onProgress?: (line: string) => void },
): Promise<ImageTags> {
  const { docker } = await connectDocker(cluster.docker.socket);
  const appBinary = await locateAppBinary(options);
  const { tags } = await ensureImages({ docker, version: readBuildInfo().version, appBinary, ...options });
  return tags;
}

/**
 * The docker runtime for a cluster: checks the engine answers, finds the images (building missing ones only with
 * `build`), creates the cluster network, and records engine and network in `<stateDir>/docker.json`. Closing the
 * runtime removes the network and that file.
 */
export async function prepareDockerRuntime(
  cluster: ClusterConfig,
  options: { build?: boolean; onProgress?: (line: string) => void } = {},
): Promise<Runtime & { close(): Promise<void> }> {
  const { docker, socketPath } = await connectDocker(cluster.docker.socket);
  const images = await clusterImages(cluster, { build: options.build ?? false, onProgress: options.onProgress });
  const clusterId = clusterIdOf(cluster.stateDir);
  const name = networkNameOf(cluster.stateDir);
  // Written first: whatever happens next, `ecom down` knows where to look.
  const stateFile = dockerStateFile(cluster.stateDir);
  writeFileSync(stateFile, JSON.stringify({ socket: socketPath, network: name, clusterId }));
  const network = await createClusterNetwork(docker, { name, clusterId, ...(cluster.docker.subnet ? { subnet: cluster.docker.subnet } : {}) });
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  return dockerRuntime(
    docker,
    {
      clusterId,
      stateDir: cluster.stateDir,
      configPath: cluster.configPath,
      network,
      images,
      user: `${uid}:${gid}`,
      limits: (service) => {
        const svc = (cluster.services as Record<string, { cpus?: number; memory?: string } | undefined>)[service];
        return { ...(svc?.cpus ? { cpus: svc.cpus } : {}), ...(svc?.memory ? { memory: svc.memory } : {}) };
      },
    },
    async () => {
      await removeNetwork(docker, name);
      rmSync(stateFile, { force: true });
    },
  );
}
