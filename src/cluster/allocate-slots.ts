import type { ClusterConfig } from '../config/cluster-schema.js';
import { SERVICE_KINDS } from '../config/defaults.js';
import { isPortFree } from './check-ports.js';

/** An id and a port held for a new instance until `release()` (call it once the instance is listed, or failed). */
export interface Slot {
  id: number;
  port: number;
  release(): void;
}

/** Hands out ids and ports for new service instances. */
export interface SlotAllocator {
  allocate(): Promise<Slot>;
}

/**
 * Ids and ports for scaled and replacement instances: the next id above every id in use or configured, and the
 * next free port above every service port (never a core port). Allocations run one at a time and a slot stays
 * reserved until released, so two concurrent `scale` calls never get the same id or port.
 */
export function slotAllocator(options: {
  host: string;
  /** Ids and ports of instances that exist now (configured or started). */
  inUse: () => ReadonlyArray<{ id?: number; port?: number }>;
  /** Ports that are never handed out (gateway, registry, redis, Prometheus). */
  corePorts: readonly number[];
  /** Ports are handed out above this one. */
  basePort?: number;
  isFree?: (host: string, port: number) => Promise<boolean>;
}): SlotAllocator {
  const reserved = new Map<number, number>();
  const isFree = options.isFree ?? isPortFree;
  let queue: Promise<unknown> = Promise.resolve();
  const next = async (): Promise<Slot> => {
    const taken = [...options.inUse(), ...[...reserved].map(([id, port]) => ({ id, port }))];
    const id = Math.max(0, ...taken.map((t) => t.id ?? 0)) + 1;
    const ports = taken.map((t) => t.port).filter((p): p is number => p !== undefined);
    const used = new Set([...ports, ...options.corePorts]);
    let port = Math.max(options.basePort ?? 5000, ...ports) + 1;
    while (used.has(port) || !(await isFree(options.host, port))) port++;
    reserved.set(id, port);
    return { id, port, release: () => reserved.delete(id) };
  };
  return {
    allocate() {
      const slot = queue.then(next, next);
      queue = slot.catch(() => undefined);
      return slot;
    },
  };
}

/** The allocator of a cluster: every configured and every `started()` instance is in use; core ports are never given out. */
export function clusterSlotAllocator(cluster: ClusterConfig, started: () => ReadonlyArray<{ id?: number; port?: number }>): SlotAllocator {
  return slotAllocator({
    host: cluster.host,
    inUse: () => [...started(), ...SERVICE_KINDS.flatMap((k) => cluster.services[k].instances)],
    corePorts: [cluster.gateway.port, cluster.iscs.port, cluster.redis.port, ...(cluster.prometheus.enabled ? [cluster.prometheus.port] : [])],
  });
}

/**
 * Runs `use` on a fresh slot of `slots`, releasing the slot after, whatever happens; undefined without running it
 * when `enough()` already holds once the slot is ours (a concurrent `scale` got there first).
 */
export async function withSlot<T>(slots: SlotAllocator, enough: () => boolean, use: (slot: Slot) => Promise<T>): Promise<T | undefined> {
  const slot = await slots.allocate();
  try {
    return enough() ? undefined : await use(slot);
  } finally {
    slot.release();
  }
}
