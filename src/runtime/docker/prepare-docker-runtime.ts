import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { readBuildInfo } from '../../common/describe-build.js';
import { addonCacheDir } from '../../common/load-sqlite-addon.js';
import type { ClusterConfig } from '../../config/cluster-schema.js';
import { ensureImages } from './build-images.js';
import { createClusterNetwork, removeNetwork } from './cluster-network.js';
import { connectDocker, dockerSocketPath } from './connect-docker.js';
import { recordedImages } from './find-recorded-images.js';
import { clusterIdOf, dockerStateFile, networkNameOf, type ImageTags } from './docker-names.js';
import { dockerRuntime, type DockerRuntime } from './docker-runtime.js';
import { locateAppBinary } from './locate-app-binary.js';

/** Where `ecom up` leaves the image tags it just ensured, for the daemon it starts next. */
const handedImagesFile = (stateDir: string): string => join(stateDir, 'docker-images.json');

/** The tags `ecom up` handed over, when every one of them is on the engine. */
async function handedImages(docker: Docker, stateDir: string): Promise<ImageTags | undefined> {
  const file = handedImagesFile(stateDir);
  if (!existsSync(file)) return undefined;
  try {
    const tags = JSON.parse(readFileSync(file, 'utf8')) as ImageTags;
    const present = await Promise.all(
      Object.values(tags).map((tag) =>
        docker
          .getImage(tag)
          .inspect()
          .then(
            () => true,
            () => false,
          ),
      ),
    );
    return present.length === 3 && present.every(Boolean) ? tags : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The cluster's images on its engine: built when missing with `build`, else `docker_image_missing`. With `build`
 * (what `ecom up` runs before it starts the daemon) the tags are handed to the daemon through the state dir, so the
 * daemon does not plan the images again (`ldd` on every program, the input hashes).
 */
export async function clusterImages(
  cluster: ClusterConfig,
  options: { build: boolean; base?: string; onProgress?: (line: string) => void; docker?: Docker },
): Promise<ImageTags> {
  const version = readBuildInfo().version;
  const hand = (tags: ImageTags): ImageTags => {
    mkdirSync(cluster.stateDir, { recursive: true });
    writeFileSync(handedImagesFile(cluster.stateDir), JSON.stringify(tags));
    return tags;
  };
  let appBinary: string | undefined;
  if (options.build && !options.base && !options.docker) {
    // The images the last full check recorded, unchanged and on the engine: found without the engine's client.
    appBinary = await locateAppBinary(options);
    const recorded = await recordedImages(version, appBinary, dockerSocketPath(cluster.docker.socket));
    if (recorded) return hand(recorded);
  }
  const docker = options.docker ?? (await connectDocker(cluster.docker.socket)).docker;
  const handed = options.build ? undefined : await handedImages(docker, cluster.stateDir);
  if (handed) return handed;
  appBinary ??= await locateAppBinary(options);
  const { tags } = await ensureImages({ docker, version, appBinary, ...options });
  return options.build && !options.base ? hand(tags) : tags;
}

/**
 * Where the containers' cgroups go. With the cgroupfs driver the engine puts every container under one `/docker`
 * group, which the kernel's CPU scheduler weighs as a single process against every process of the root group: on a
 * busy machine all of a cluster's containers together would get the share of one host process. Each container
 * directly under the root instead weighs what one instance weighs on the process runtime. With the systemd
 * driver (slices) the engine's default stays. Also the engine's cgroup version, which says how a CPU weight is given.
 */
async function cgroupsOf(docker: Docker): Promise<{ parent?: string; version?: string }> {
  const info = (await docker.info().catch(() => ({}))) as { CgroupDriver?: string; CgroupVersion?: string };
  return { ...(info.CgroupDriver === 'cgroupfs' ? { parent: '/' } : {}), ...(info.CgroupVersion ? { version: info.CgroupVersion } : {}) };
}

/**
 * The docker runtime for a cluster: checks the engine answers, finds the images (building missing ones only with
 * `build`), creates the cluster network, and records engine and network in `<stateDir>/docker.json`. Closing the
 * runtime removes the network and that file. With `ECOM_DOCKER_TIMINGS=1` each engine step's time goes to
 * `onProgress` (the daemon's log).
 */
export async function prepareDockerRuntime(
  cluster: ClusterConfig,
  options: { build?: boolean; onProgress?: (line: string) => void } = {},
): Promise<DockerRuntime> {
  const started = performance.now();
  const trace = process.env.ECOM_DOCKER_TIMINGS === '1' ? options.onProgress : undefined;
  const lap = (step: string): void => trace?.(`docker runtime: ${step} at +${Math.round(performance.now() - started)} ms`);
  const { docker, socketPath } = await connectDocker(cluster.docker.socket);
  lap('engine answered');
  const clusterId = clusterIdOf(cluster.stateDir);
  const name = networkNameOf(cluster.stateDir);
  // Written first: whatever happens next, `ecom down` knows where to look.
  const stateFile = dockerStateFile(cluster.stateDir);
  writeFileSync(stateFile, JSON.stringify({ socket: socketPath, network: name, clusterId }));
  // The images, the network and the engine's cgroup driver are independent questions: asked at once.
  const [images, network, cgroups] = await Promise.allSettled([
    clusterImages(cluster, { build: options.build ?? false, onProgress: options.onProgress, docker }).finally(() => lap('images found')),
    createClusterNetwork(docker, { name, clusterId, ...(cluster.docker.subnet ? { subnet: cluster.docker.subnet } : {}) }).finally(() =>
      lap('network created'),
    ),
    cgroupsOf(docker),
  ]);
  if (images.status === 'rejected' || network.status === 'rejected') {
    // A network this start created goes with it; one left over from an earlier run stays for `ecom down`.
    if (network.status === 'fulfilled') {
      await removeNetwork(docker, name);
      rmSync(stateFile, { force: true });
    }
    throw images.status === 'rejected' ? images.reason : (network as PromiseRejectedResult).reason;
  }
  const cacheDir = addonCacheDir();
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  return dockerRuntime(
    docker,
    {
      clusterId,
      stateDir: cluster.stateDir,
      configPath: cluster.configPath,
      network: network.value,
      images: images.value,
      user: `${uid}:${gid}`,
      cacheDir,
      ...(cgroups.status === 'fulfilled' && cgroups.value.parent ? { cgroupParent: cgroups.value.parent } : {}),
      ...(cgroups.status === 'fulfilled' && cgroups.value.version ? { cgroupVersion: cgroups.value.version } : {}),
      limits: (service) => {
        const svc = (cluster.services as Record<string, { cpus?: number; memory?: string } | undefined>)[service];
        return { ...(svc?.cpus ? { cpus: svc.cpus } : {}), ...(svc?.memory ? { memory: svc.memory } : {}) };
      },
    },
    async () => {
      await removeNetwork(docker, name);
      lap('network removed');
      rmSync(stateFile, { force: true });
    },
    trace,
  );
}
