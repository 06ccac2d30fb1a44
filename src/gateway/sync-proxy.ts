import { existsSync, readFileSync } from 'node:fs';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { ensureCredentials } from '../config/ensure-credentials.js';
import { stateLayout } from '../config/state-layout.js';
import type { Logger } from '../kit/create-logger.js';
import type { RegistrySnapshot } from '../registry/registry-state.js';
import { buildPeerTable, writePeersFile } from './build-peer-table.js';
import { pushPeerTable, type GatewayStats } from './call-gateway-admin.js';
import { prepareNginxPrefix, reloadNginx, runningNginxPid } from './control-nginx.js';
import { gatewayMode } from './detect-nginx-lua.js';
import { installNginxConfig } from './install-nginx-config.js';
import { followListing } from './follow-listing.js';
import type { RenderNginxConfig } from './render-nginx-config.js';
import { resolveAdminPort } from './resolve-admin-port.js';
import { watchGatewayStats, type GatewayStatsWatch } from './watch-gateway-stats.js';

/** What the proxy sync has done, for `ecom status` and tests. */
export interface ProxySyncStatus {
  appliedIndex: number | undefined;
  /** Reloads the sync asked of nginx since it started (`ecom up`). */
  reloads: number;
  renders: number;
  lastReloadAt?: string;
  lastError?: { message: string; at: string; index: number };
  /** `lua`: peers pushed to the Lua balancer, reloads only on structural change; `reload`: render-and-reload. */
  mode?: 'lua' | 'reload';
  /** Why the sync renders and reloads (reload mode). */
  fallbackReason?: string;
  /** Peer tables pushed to nginx's admin server (Lua mode). */
  pushes?: number;
  adminPort?: number;
  /** The Lua balancer's own figures: reloads since nginx started and every peer's (Lua mode, while nginx answers). */
  gateway?: GatewayStats;
}

/** The registry → nginx loop. Feed it listings with `update`; it batches and applies them. */
export interface ProxySync {
  update(snapshot: RegistrySnapshot): void;
  /** Applies the latest listing now (skipping the debounce); resolves when done. */
  flush(): Promise<void>;
  status(): ProxySyncStatus;
  close(): Promise<void>;
}

/** How soon a peer table that nginx did not take is pushed again. */
const PUSH_RETRY_MS = 200;

/**
 * Turns registry listings into what nginx routes by. Lua mode: the peer table is written to the peers file and
 * pushed to the admin server at once; nginx.conf is rendered from the structure only and reloaded only when that
 * text changed. Reload mode: changes are batched (applied once quiet for `minWaitMs`, at the latest `maxWaitMs`
 * after the first), rendered, skipped when unchanged, otherwise checked with `nginx -t`, installed and reloaded.
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
  const { cluster, log } = options;
  const paths = stateLayout(cluster.stateDir).nginx;
  prepareNginxPrefix(paths);
  const mode = gatewayMode(cluster);
  const lua = mode.kind === 'lua';
  const status: ProxySyncStatus = { appliedIndex: undefined, reloads: 0, renders: 0, mode: mode.kind };
  if (mode.kind === 'reload') status.fallbackReason = mode.reason;
  else status.pushes = 0;
  const token = lua ? ensureCredentials(cluster.stateDir).clusterToken : '';
  // Lua mode compares with the config in force, so a new sync (a daemon restart, `ecom nginx reload`) reloads only
  // when the structure really changed.
  let lastText = lua && existsSync(paths.config) ? readFileSync(paths.config, 'utf8') : undefined;
  let stats: GatewayStatsWatch | undefined;
  let retry: NodeJS.Timeout | undefined;

  const report = (message: string, index: number): void => {
    status.lastError = { message, at: new Date().toISOString(), index };
    log.error(message);
    options.onStatus?.({ ...status });
  };

  /** Renders; when the text changed, validates, installs and reloads. False when it was refused. */
  const applyConfig = async (snapshot: RegistrySnapshot): Promise<boolean> => {
    let text: string;
    try {
      text = options.render(cluster, snapshot);
    } catch (err) {
      report(`template failed to render: ${err instanceof Error ? err.message : String(err)}`, snapshot.index);
      return false;
    }
    status.renders++;
    if (text === lastText) return true;
    const problem = await installNginxConfig(paths, text);
    if (problem) {
      report(`nginx -t rejected the config for index ${snapshot.index}, keeping the last good one: ${problem}`, snapshot.index);
      return false;
    }
    lastText = text;
    if (reloadNginx(paths)) {
      status.reloads++;
      status.lastReloadAt = new Date().toISOString();
    }
    log.info('gateway config applied', { index: snapshot.index, reloads: status.reloads });
    return true;
  };

  /** Lua mode: peers file, structure, then the push (nginx not running: it reads the file when it starts). */
  const applyPeers = async (snapshot: RegistrySnapshot): Promise<boolean> => {
    const running = runningNginxPid(paths) !== undefined;
    status.adminPort = await resolveAdminPort(cluster, paths, running);
    const table = buildPeerTable(snapshot);
    writePeersFile(paths, table);
    if (!(await applyConfig(snapshot))) return false;
    if (!running) return true;
    try {
      await pushPeerTable(status.adminPort, token, table);
      status.pushes!++;
      stats ??= watchGatewayStats({ port: () => status.adminPort, token });
      return true;
    } catch (err) {
      report(`the gateway did not take the peer table for index ${snapshot.index}: ${(err as Error).message}`, snapshot.index);
      retry ??= setTimeout(() => {
        retry = undefined;
        follower.retry();
      }, PUSH_RETRY_MS).unref();
      return false;
    }
  };

  const follower = followListing({
    cluster,
    log,
    minWaitMs: lua ? 0 : (options.minWaitMs ?? cluster.proxySync.minWaitMs),
    maxWaitMs: lua ? 0 : (options.maxWaitMs ?? cluster.proxySync.maxWaitMs),
    apply: async (snapshot) => {
      if (!(await (lua ? applyPeers(snapshot) : applyConfig(snapshot)))) return false;
      const changed = status.appliedIndex !== snapshot.index || status.lastError !== undefined;
      status.appliedIndex = snapshot.index;
      delete status.lastError;
      if (changed) options.onStatus?.({ ...status });
      return true;
    },
  });

  return {
    update: (snapshot) => follower.update(snapshot),
    flush: () => follower.flush(),
    status: () => {
      const gateway = stats?.latest();
      return { ...status, ...(gateway ? { gateway } : {}) };
    },
    async close() {
      clearTimeout(retry);
      stats?.close();
      await follower.close();
    },
  };
}
