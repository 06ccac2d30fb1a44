import { isValidHost, isValidPort } from '../common/check-host.js';
import type { ClusterConfig } from '../config/cluster-schema.js';
import type { Logger } from '../kit/create-logger.js';
import type { RegistrySnapshot } from '../registry/registry-state.js';

/** Every instance of either listing (by service and id; the newer listing's address wins). */
function union(older: RegistrySnapshot, newer: RegistrySnapshot): RegistrySnapshot {
  const services: RegistrySnapshot['services'] = {};
  for (const name of new Set([...Object.keys(older.services), ...Object.keys(newer.services)])) {
    const byId = new Map((older.services[name] ?? []).map((i) => [i.id, i]));
    for (const inst of newer.services[name] ?? []) byId.set(inst.id, inst);
    services[name] = [...byId.values()].sort((a, b) => a.id - b.id);
  }
  return { index: newer.index, services };
}

/** The listing less any instance whose address could not safely go into nginx (each one logged). */
function withoutBadAddresses(snapshot: RegistrySnapshot, log: Logger): RegistrySnapshot {
  const services: RegistrySnapshot['services'] = {};
  for (const [name, list] of Object.entries(snapshot.services)) {
    services[name] = list.filter((inst) => {
      const ok = isValidHost(inst.host) && isValidPort(inst.port);
      if (!ok) log.error('refusing a registration with an invalid address', { service: name, id: inst.id, host: inst.host, port: inst.port });
      return ok;
    });
  }
  return { index: snapshot.index, services };
}

/** The listing side of the proxy sync: what to apply and when, one apply at a time. */
export interface ListingFollower {
  update(snapshot: RegistrySnapshot): void;
  /** Applies the latest listing now (skipping the debounce); resolves when done. */
  flush(): Promise<void>;
  /** Applies the latest listing again (after an apply that did not take). */
  retry(): void;
  close(): Promise<void>;
}

/**
 * Feeds registry listings to `apply` (which resolves false when it did not take): batched (once quiet for
 * `minWaitMs`, at the latest `maxWaitMs` after the first change), one at a time, without hostile addresses. When the
 * registry's index goes backwards (it restarted empty), instances it no longer lists are kept for one TTL while
 * they register again.
 */
export function followListing(options: {
  cluster: ClusterConfig;
  log: Logger;
  minWaitMs: number;
  maxWaitMs: number;
  apply: (snapshot: RegistrySnapshot) => Promise<boolean>;
}): ListingFollower {
  const { minWaitMs, maxWaitMs } = options;
  let latest: RegistrySnapshot | undefined;
  let firstPendingAt: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let applying: Promise<void> = Promise.resolve();
  let closed = false;
  let lastApplied: RegistrySnapshot | undefined;
  let warmUntil = 0;
  const warmMs = options.cluster.iscs.ttlMs + options.cluster.iscs.heartbeatMs;

  const apply = async (): Promise<void> => {
    timer = undefined;
    firstPendingAt = undefined;
    if (!latest || closed) return;
    const merged = Date.now() < warmUntil && lastApplied ? union(lastApplied, latest) : latest;
    const snapshot = withoutBadAddresses(merged, options.log);
    if (await options.apply(snapshot)) lastApplied = snapshot;
  };
  const run = (): Promise<void> => (applying = applying.then(apply, apply));

  const api: ListingFollower = {
    update(snapshot) {
      if (closed) return;
      if (latest && snapshot.index < latest.index) {
        // The registry restarted without its saved listing: instances come back one heartbeat at a time. Until they
        // all had the chance, keep routing to what was there (instances that died meanwhile fail over in nginx).
        warmUntil = Date.now() + warmMs;
        setTimeout(() => latest && api.update(latest), warmMs + 10).unref();
      }
      latest = snapshot;
      const now = Date.now();
      firstPendingAt ??= now;
      clearTimeout(timer);
      const due = Math.min(now + minWaitMs, firstPendingAt + maxWaitMs);
      timer = setTimeout(() => void run(), Math.max(0, due - now));
    },
    flush() {
      clearTimeout(timer);
      return run();
    },
    retry() {
      if (!closed && timer === undefined) void run();
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await applying;
    },
  };
  return api;
}
