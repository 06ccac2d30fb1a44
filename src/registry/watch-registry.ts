import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../kit/create-logger.js';
import { callRegistry } from './call-registry.js';
import type { RegistrySnapshot } from './registry-state.js';
import { backoffDelay } from '../common/backoff-delay.js';

/** A live, cached view of the registry. */
export interface RegistryWatch {
  /** The last listing received (kept while the registry is away), or undefined before the first. */
  current(): RegistrySnapshot | undefined;
  /** Resolves with the first listing, or undefined after `timeoutMs`. */
  ready(timeoutMs: number): Promise<RegistrySnapshot | undefined>;
  close(): void;
}

/**
 * Follows the registry with blocking queries (`?index=N&wait=...`), calling `onChange` with every new listing.
 * While the registry is unreachable the last listing stays in use and polling backs off; one log line per outage.
 */
export function watchRegistry(options: { registryUrl: string; log?: Logger; waitMs?: number; onChange?: (snapshot: RegistrySnapshot) => void }): RegistryWatch {
  const waitMs = options.waitMs ?? 30_000;
  const stop = new AbortController();
  let last: RegistrySnapshot | undefined;
  const firstWaiters: Array<(s: RegistrySnapshot) => void> = [];

  const loop = async (): Promise<void> => {
    let failures = 0;
    while (!stop.signal.aborted) {
      try {
        const query = last ? `?index=${last.index}&wait=${waitMs}ms` : '';
        const res = await callRegistry(options.registryUrl, `/v1/services${query}`, { timeoutMs: waitMs + 5000, signal: stop.signal });
        if (res.status !== 200) throw new Error(`registry answered ${res.status}`);
        const snapshot = res.body as RegistrySnapshot;
        if (failures > (last ? 0 : 4)) options.log?.info('registry reachable again');
        failures = 0;
        const changed = !last || snapshot.index !== last.index;
        last = snapshot;
        if (changed) {
          options.onChange?.(snapshot);
          for (const resolve of firstWaiters.splice(0)) resolve(snapshot);
        }
      } catch (err) {
        if (stop.signal.aborted) return;
        // Started beside the registry (a cluster starting all at once), the first few tries meet no registry yet.
        if (failures === (last ? 0 : 4)) {
          options.log?.warn('registry watch failed, keeping the last listing', {
            error: err instanceof Error ? err.message : String(err),
          });
        }
        failures++;
        await sleep(backoffDelay(failures, { baseMs: 25, maxMs: 2000 }), undefined, { signal: stop.signal }).catch(() => undefined);
      }
    }
  };
  void loop();

  return {
    current: () => last,
    ready(timeoutMs) {
      if (last) return Promise.resolve(last);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(undefined), timeoutMs);
        timer.unref();
        firstWaiters.push((s) => {
          clearTimeout(timer);
          resolve(s);
        });
      });
    },
    close: () => stop.abort(),
  };
}
