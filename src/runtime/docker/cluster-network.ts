import type Docker from 'dockerode';
import { EcomError } from '../../common/ecom-error.js';
import { dockerMessage } from './connect-docker.js';
import { CLUSTER_LABEL } from './docker-names.js';
import { hostRoutes, pickSubnet, type AddressPoolSpec } from './pick-subnet.js';

/** The cluster's network as containers join it. */
export interface ClusterNetwork {
  name: string;
  subnet: string;
  /** The subnet is the network's own (configured), so containers may be given their addresses (assign-addresses). */
  assignable?: boolean;
}

/**
 * Creates the cluster's user-defined bridge network (containers on it resolve each other by name), on `subnet` when
 * given, else on the first subnet of the engine's own pools that none of its networks and none of this host's routes
 * overlaps (what the engine would pick, chosen here so that the subnet is the network's own: only then may containers
 * be given their addresses). An engine that names no pools, or refuses that subnet, picks one itself. A network of that
 * name already there was left by a run that did not end cleanly: `docker_network_left_over`, since `ecom down` removes
 * it with its containers.
 */
export async function createClusterNetwork(docker: Docker, options: { name: string; clusterId: string; subnet?: string }): Promise<ClusterNetwork> {
  const [networks, info] = await Promise.all([docker.listNetworks(), docker.info().catch(() => ({})) as Promise<{ DefaultAddressPools?: AddressPoolSpec[] }>]);
  if (networks.some((n) => n.Name === options.name)) {
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
    const taken = [...networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? '')), ...hostRoutes()];
    const chosen = pickSubnet(info.DefaultAddressPools ?? [], taken);
    const owned =
      chosen !== undefined &&
      (await create(chosen).then(
        () => true,
        () => false,
      ));
    if (!owned) await create();
    return { name: options.name, subnet: owned ? chosen : await subnetOf(docker, options.name), assignable: owned };
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
