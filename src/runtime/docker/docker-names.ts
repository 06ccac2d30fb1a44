import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** Label on every container and network ecom creates, holding the cluster id. */
export const CLUSTER_LABEL = 'io.ecom.cluster';
/** Label naming the instance a container runs (`product-1`, `redis`...). */
export const INSTANCE_LABEL = 'io.ecom.instance';
/** Labels on ecom's images: which image, ecom's version, the hash of what went in. */
export const IMAGE_LABELS = { kind: 'io.ecom.image', version: 'io.ecom.version', inputs: 'io.ecom.inputs' } as const;

/** The three images: ecom's own executable (registry, services), nginx, redis-server. */
export const IMAGE_KINDS = ['app', 'nginx', 'redis'] as const;
export type ImageKind = (typeof IMAGE_KINDS)[number];
/** Tag of each image kind, e.g. `ecom-app:0.1.0-1a2b3c4d5e6f`. */
export type ImageTags = Record<ImageKind, string>;

/** A short stable id for a cluster, from its state dir (one cluster per state dir). */
export function clusterIdOf(stateDir: string): string {
  return createHash('sha256').update(stateDir).digest('hex').slice(0, 10);
}

/** The cluster's bridge network. */
export function networkNameOf(stateDir: string): string {
  return `ecom-${clusterIdOf(stateDir)}`;
}

/** The container of one instance. */
export function containerNameOf(stateDir: string, instance: string): string {
  return `ecom-${clusterIdOf(stateDir)}-${instance}`;
}

/** Which image runs an instance of `service`. */
export function imageKindOf(service: string): ImageKind {
  return service === 'nginx' ? 'nginx' : service === 'redis' ? 'redis' : 'app';
}

/** `256m`, `1g`, `512k` or bytes → bytes. */
export function parseMemory(size: string): number {
  const match = /^(\d+)([kmg]?)$/i.exec(size);
  if (!match) throw new Error(`not a size: ${size}`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(match[1]) * unit;
}

/** What a docker cluster keeps in its state dir (engine socket, network, id), so `ecom down` finds its engine when the daemon is gone. */
export function dockerStateFile(stateDir: string): string {
  return join(stateDir, 'docker.json');
}
