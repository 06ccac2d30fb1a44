import type Docker from 'dockerode';
import { EcomError } from '../../common/ecom-error.js';
import { dockerMessage } from './connect-docker.js';
import { CLUSTER_LABEL } from './docker-names.js';

/** The cluster's network as containers join it. */
export interface ClusterNetwork {
  name: string;
  subnet: string;
  /** The subnet is the network's own (configured), so containers may be given their addresses (assign-addresses). */
  assignable?: boolean;
}

/** The network named `name` (exact), if the engine has one. */
export async function findNetwork(docker: Docker, name: string): Promise<Docker.NetworkInspectInfo | undefined> {
  const found = await docker.listNetworks({ filters: { name: [name] } });
  return found.find((n) => n.Name === name);
}

/**
 * Creates the cluster's user-defined bridge network (containers on it resolve each other by name), on `subnet` when
 * given, else on the one the engine picks from its pools — then made the network's own: the network is created
 * again on that subnet, since the engine lets containers be given their addresses only on a configured subnet (when
 * that fails, the engine's network stays and hands out addresses itself). A network of that name already there was
 * left by a run that did not end cleanly: `docker_network_left_over`, since `ecom down` removes it with its containers.
 */
export async function createClusterNetwork(docker: Docker, options: { name: string; clusterId: string; subnet?: string }): Promise<ClusterNetwork> {
  if (await findNetwork(docker, options.name)) {
    throw new EcomError('docker_network_left_over', `docker network ${options.name} is left over from an earlier run of this cluster`);
  }
  const create = (subnet?: string): Promise<Docker.Network> =>
    docker.createNetwork({
      Name: options.name,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: { [CLUSTER_LABEL]: options.clusterId },
      ...(subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] } } : {}),
    });
  try {
    if (options.subnet) {
      await create(options.subnet);
      return { name: options.name, subnet: await subnetOf(docker, options.name), assignable: true };
    }
    const network = await create();
    const info = (await network.inspect()) as Docker.NetworkInspectInfo;
    const subnet = info.IPAM?.Config?.[0]?.Subnet;
    if (!subnet) throw new Error('the engine gave the network no IPv4 subnet');
    await network.remove();
    const owned = await create(subnet).then(
      () => true,
      () => create().then(() => false),
    );
    return { name: options.name, subnet: owned ? subnet : await subnetOf(docker, options.name), assignable: owned };
  } catch (err) {
    if (err instanceof EcomError) throw err;
    throw new EcomError('docker_failed', `could not create docker network ${options.name}: ${dockerMessage(err)}`, {
      cause: err,
      hint: options.subnet ? `choose another docker.subnet in the cluster file` : `the engine's address pools may be exhausted: docker network prune`,
    });
  }
}

/** The IPv4 subnet of the network named `name`. */
async function subnetOf(docker: Docker, name: string): Promise<string> {
  const subnet = ((await docker.getNetwork(name).inspect()) as Docker.NetworkInspectInfo).IPAM?.Config?.[0]?.Subnet;
  if (!subnet) throw new Error('the engine gave the network no IPv4 subnet');
  return subnet;
}

/** Removes the network (waiting a moment for the engine to let go of endpoints); gone already is fine. */
export async function removeNetwork(docker: Docker, name: string): Promise<boolean> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await docker.getNetwork(name).remove();
      return true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return false;
}
