import type { ClusterConfig } from '../../config/cluster-schema.js';
import { EcomError } from '../../common/ecom-error.js';
import { connectDocker, dockerSocketPath } from './connect-docker.js';

/**
 * `ecom doctor`'s engine check: the engine's version when it answers; otherwise what to do. Only a cluster with
 * `runtime: docker` fails on it (a process cluster does not need an engine).
 */
export async function checkDockerEngine(cluster: ClusterConfig): Promise<{ name: string; ok: boolean; detail: string; fix?: string }> {
  const needed = cluster.runtime === 'docker';
  try {
    const { version, socketPath } = await connectDocker(cluster.docker.socket, 2000);
    return { name: 'docker', ok: true, detail: `engine ${version} at ${socketPath}` };
  } catch (err) {
    const e = err instanceof EcomError ? err : undefined;
    const detail = `${e?.message ?? String(err)}${needed ? '' : ' (only needed for runtime: docker)'}`;
    if (!needed) return { name: 'docker', ok: true, detail };
    return { name: 'docker', ok: false, detail, fix: e?.hint ?? `start a Docker engine at ${dockerSocketPath(cluster.docker.socket)}` };
  }
}
