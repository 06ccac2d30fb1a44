import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../kit/create-logger.js';
import { callRegistry } from './call-registry.js';
import { backoffDelay } from '../common/backoff-delay.js';

/** An instance's registration: heartbeats until closed. */
export interface Registration {
  /** Resolves once the first registration succeeded. */
  readonly registered: Promise<void>;
  /** Stops heartbeating and deregisters; resolves true when the registry confirmed it. Idempotent. */
  close(): Promise<boolean>;
}

/**
 * Registers `service/id` at the registry and heartbeats every `heartbeatMs`. A heartbeat answered 404 (the registry
 * restarted without this instance) or a lost connection leads to registering again, retried with backoff; the
 * outage and the recovery are logged once each, not once per beat.
 */
export function registerInstance(options: {
  registryUrl: string;
  clusterToken: string;
  service: string;
  id: number;
  host: string;
  port: number;
  heartbeatMs: number;
  log: Logger;
  meta?: Record<string, string>;
}): Registration {
  const path = `/v1/instances/${options.service}/${options.id}`;
  const headers = { authorization: `Bearer ${options.clusterToken}`, 'content-type': 'application/json' };
  const timeoutMs = Math.max(500, options.heartbeatMs);
  const stop = new AbortController();
  let announceRegistered: () => void = () => undefined;
  const registered = new Promise<void>((resolve) => (announceRegistered = resolve));

  const register = async (): Promise<void> => {
    const res = await callRegistry(options.registryUrl, path, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ host: options.host, port: options.port, ...(options.meta ? { meta: options.meta } : {}) }),
      timeoutMs,
    });
    if (res.status !== 200) throw new Error(`registry answered ${res.status} to registration`);
  };
  const heartbeat = async (): Promise<'ok' | 'unknown'> => {
    const res = await callRegistry(options.registryUrl, `${path}/heartbeat`, { method: 'PUT', headers, timeoutMs });
    if (res.status === 404) return 'unknown';
    if (res.status !== 200) throw new Error(`registry answered ${res.status} to heartbeat`);
    return 'ok';
  };

  const loop = async (): Promise<void> => {
    let isRegistered = false;
    let everRegistered = false;
    let failures = 0;
    while (!stop.signal.aborted) {
      try {
        if (!isRegistered || (await heartbeat()) === 'unknown') {
          await register();
          if (everRegistered || failures > 3) options.log.info('registered again with the registry');
          isRegistered = true;
          everRegistered = true;
          announceRegistered();
        }
        failures = 0;
        await sleep(options.heartbeatMs, undefined, { signal: stop.signal }).catch(() => undefined);
      } catch (err) {
        if (stop.signal.aborted) return;
        // A cluster starting all at once may run an instance before the registry answers: a few quick retries are normal then.
        if (failures === (everRegistered ? 0 : 3)) {
          options.log.warn('registry unreachable, retrying', { error: err instanceof Error ? err.message : String(err) });
        }
        failures++;
        isRegistered = false;
        const backoff = backoffDelay(failures, { baseMs: 25, maxMs: options.heartbeatMs, maxDoublings: 7 });
        await sleep(backoff, undefined, { signal: stop.signal }).catch(() => undefined);
      }
    }
  };
  const running = loop();

  let closing: Promise<boolean> | undefined;
  return {
    registered,
    close() {
      closing ??= (async () => {
        stop.abort();
        await running;
        try {
          const res = await callRegistry(options.registryUrl, path, { method: 'DELETE', headers, timeoutMs: 1000 });
          return res.status === 204;
        } catch {
          return false; // The registry evicts us after its TTL anyway.
        }
      })();
      return closing;
    },
  };
}
