import { renameSync, writeFileSync } from 'node:fs';
import type { ClusterConfig } from '../cluster/cluster-schema.js';
import type { Logger } from '../services/kit/create-logger.js';
import { prepareNginxPrefix, reloadNginx, validateNginxConfig } from './control-nginx.js';
import { nginxPaths } from './nginx-paths.js';
import type { RenderNginxConfig } from './render-nginx-config.js';
import type { RegistrySnapshot } from './registry-state.js';

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

/**
 * Turns registry listings into a served nginx config: changes are batched (applied once no change came for
 * `minWaitMs`, and at the latest `maxWaitMs` after the first), rendered, and skipped when the text is unchanged;
 * otherwise written beside the live file, checked with `nginx -t`, moved into place and nginx is reloaded.
 * A config that fails validation is never installed: the last good one keeps serving and the error is reported.
 */
export function syncProxy(options: {
  cluster: ClusterConfig;
  render: RenderNginxConfig;
  log: Logger;
  minWaitMs?: number;
  maxWaitMs?: number;
  onStatus?: (status: ProxySyncStatus) => void;
}): ProxySync {
  const paths = nginxPaths(options.cluster.stateDir);
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

  const apply = async (): Promise<void> => {
    timer = undefined;
    firstPendingAt = undefined;
    const snapshot = latest;
    if (!snapshot || closed) return;
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

  return {
    update(snapshot) {
      if (closed) return;
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
}
