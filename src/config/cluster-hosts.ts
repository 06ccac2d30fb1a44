import { isIP } from 'node:net';

/** The names every machine gives itself: what services may always be reached on. */
const LOOPBACK_NAMES = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Whether binding `host` keeps a process reachable from this machine only: `localhost`, 127.0.0.0/8 (also written
 * as an IPv4-mapped IPv6 address) and ::1. `0.0.0.0`, `::` and every other address reach the network.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (name === 'localhost' || name === '::1') return true;
  const v4 = name.startsWith('::ffff:') ? name.slice(7) : name;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * Whether a peer listed by the registry at `host` is one of the cluster's own instances: on the cluster file's
 * `host` or on a loopback name. Only those are sent the cluster token; a listing naming anything else did not come
 * from our instances (a fake registry, or a stray registration) and is ignored.
 */
export function isClusterPeerHost(clusterHost: string, host: string): boolean {
  return host === clusterHost || LOOPBACK_NAMES.has(host.toLowerCase());
}

/** Whether IPv4 `host` lies in `cidr` (`a.b.c.d/n`). */
export function inSubnet(host: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const toInt = (ip: string): number => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  if (isIP(host) !== 4 || base === undefined || isIP(base) !== 4) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toInt(host) / size) === Math.floor(toInt(base) / size);
}

/** `isClusterPeerHost`, and inside a container any address on the cluster network. */
export function isClusterPeer(cluster: { host: string; container?: { peerSubnet: string } }, host: string): boolean {
  return isClusterPeerHost(cluster.host, host) || (cluster.container !== undefined && inSubnet(host, cluster.container.peerSubnet));
}
