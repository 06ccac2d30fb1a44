import { renameSync, writeFileSync } from 'node:fs';
import type { ClusterConfig } from '../config/cluster-schema.js';
import type { Logger } from '../kit/create-logger.js';
import { prepareNginxPrefix, reloadNginx, validateNginxConfig } from './control-nginx.js';
import { stateLayout } from '../config/state-layout.js';
import type { RenderNginxConfig } from './render-nginx-config.js';
import type { RegistrySnapshot } from '../registry/registry-state.js';
import { isValidHost, isValidPort } from '../common/check-host.js';

/** What the proxy sync has done, for `ecom status` and tests. */
export interface ProxySyncStatus {
  appliedIndex: number | undefined;
  reloads: number;
  renders: number;
  lastReloadAt?: string;
  lastError?: { message: string; at: string; index: number };
}

/** The registry → nginx loop. Feed it listings with `update`; it batches, renders, validates and reloads. */
export interface ProxySync {
  update(snapshot: RegistrySnapshot): void;
  /** Applies the latest listing now (skipping the debounce); resolves when done. */
  flush(): Promise<void>;
  status(): ProxySyncStatus;
  close(): Promise<void>;
}

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

/** The listing less any instance whose address could not safely go into nginx.conf (each one logged). */
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

/**
 * Turns registry listings into a served nginx config: changes are batched (applied once no change came for
 * `minWaitMs`, and at the latest `maxWaitMs` after the first), rendered, and skipped when the text is unchanged;
 * otherwise written beside the live file, checked with `nginx -t`, moved into place and nginx is reloaded.
 * A config that fails validation is never installed: the last good one keeps serving and the error is reported.
 * When the registry's index goes backwards (it restarted empty), removals wait one TTL while instances re-register.
 */
export function syncProxy(options: {
  cluster: ClusterConfig;
  render: RenderNginxConfig;
  log: Logger;
  minWaitMs?: number;
  maxWaitMs?: number;
  onStatus?: (status: ProxySyncStatus) => void;
}): ProxySync {
  const paths = stateLayout(options.cluster.stateDir).nginx;
  prepareNginxPrefix(paths);
  const minWait = options.minWaitMs ?? options.cluster.proxySync.minWaitMs;
  const maxWait = options.maxWaitMs ?? options.cluster.proxySync.maxWaitMs;
  const status: ProxySyncStatus = { appliedIndex: undefined, reloads: 0, renders: 0 };
  let latest: RegistrySnapshot | undefined;
  let lastText: string | undefined;
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
    const snapshot = withoutBadAddresses(Date.now() < warmUntil && lastApplied ? union(lastApplied, latest) : latest, options.log);
    let text: string;
    try {
      text = options.render(options.cluster, snapshot);
    } catch (err) {
      report(`template failed to render: ${err instanceof Error ? err.message : String(err)}`, snapshot.index);
      return;
    }
    status.renders++;
    if (text === lastText) {
      status.appliedIndex = snapshot.index;
      lastApplied = snapshot;
      return;
    }
    const candidate = `${paths.config}.next`;
    writeFileSync(candidate, text);
    const problem = await validateNginxConfig(paths, candidate);
    if (problem) {
      report(`nginx -t rejected the config for index ${snapshot.index}, keeping the last good one: ${problem}`, snapshot.index);
      return;
    }
    renameSync(candidate, paths.config);
    lastText = text;
    lastApplied = snapshot;
    status.appliedIndex = snapshot.index;
    if (reloadNginx(paths)) {
      status.reloads++;
      status.lastReloadAt = new Date().toISOString();
    }
    delete status.lastError;
    options.log.info('gateway config applied', { index: snapshot.index, reloads: status.reloads });
    options.onStatus?.({ ...status });
  };
  const report = (message: string, index: number): void => {
    status.lastError = { message, at: new Date().toISOString(), index };
    options.log.error(message);
    options.onStatus?.({ ...status });
  };
  const run = (): Promise<void> => (applying = applying.then(apply, apply));

  const api: ProxySync = {
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
      const due = Math.min(now + minWait, firstPendingAt + maxWait);
      timer = setTimeout(() => void run(), Math.max(0, due - now));
    },
    flush() {
      clearTimeout(timer);
      return run();
    },
    status: () => ({ ...status }),
    async close() {
      closed = true;
      clearTimeout(timer);
      await applying;
    },
  };
  return api;
}
