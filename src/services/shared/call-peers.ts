import type { Pool } from '../../kit/load-http-pool.js';
import type { ServiceKind } from '../../config/defaults.js';
import { httpError } from '../../kit/http-error.js';
import type { PeerResolver } from './resolve-peers.js';
import { httpUrl } from '../../common/http-url.js';

/** One call to another service. */
export interface PeerRequest {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  /** Safe to send again to another instance when one fails (GET, PUT and DELETE by id). */
  idempotent: boolean;
}

/** A peer's answer: any HTTP status the peer chose, with its parsed JSON body. */
export interface PeerResponse {
  status: number;
  body: unknown;
}

/** Calls other services with the cluster token, a timeout, and failover across instances. */
export interface PeerClient {
  call(kind: ServiceKind, request: PeerRequest): Promise<PeerResponse>;
  /** Closes the kept-alive connections; idempotent. */
  close?(): Promise<void>;
}

/** Connections kept open to one peer instance at most; further calls queue on them. */
const CONNECTIONS_PER_PEER = 16;
/** A pool unused this long is closed (its instance probably left). */
const IDLE_POOL_MS = 60_000;

/**
 * Creates the peer client. Each peer instance gets its own bounded keep-alive pool (undici), whose own timers
 * bound connecting, waiting for the answer's headers and reading its body by `timeoutMs` each: no new socket,
 * signal or timer per call. Instances are tried starting from a rotating position; a connection failure, a timeout
 * or a 502/503/504 moves an idempotent call to the next instance. When no instance answers, the caller gets a 503
 * `<kind>_unavailable`, which the error handler passes to the client.
 */
export function callPeers(options: { resolver: PeerResolver; clusterToken: string; timeoutMs: number }): PeerClient {
  let turn = 0;
  const pools = new Map<string, { pool: Pool; usedAt: number }>();
  const authorization = `Bearer ${options.clusterToken}`;
  // undici is loaded on the first peer call, not at start (about 10 ms of CPU off every instance's start-up).
  let PoolClass: typeof Pool | undefined;
  const poolOf = (host: string, port: number): Pool => {
    const origin = httpUrl(host, port, '');
    let entry = pools.get(origin);
    if (!entry) {
      const pool = new PoolClass!(origin, {
        connections: CONNECTIONS_PER_PEER,
        pipelining: 1,
        connectTimeout: options.timeoutMs,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        keepAliveTimeout: 4_000,
      });
      entry = { pool, usedAt: Date.now() };
      pools.set(origin, entry);
    }
    entry.usedAt = Date.now();
    return entry.pool;
  };
  const sweep = setInterval(() => {
    for (const [origin, entry] of pools) {
      if (Date.now() - entry.usedAt < IDLE_POOL_MS) continue;
      pools.delete(origin);
      void entry.pool.close().catch(() => undefined);
    }
  }, IDLE_POOL_MS / 2);
  sweep.unref();
  let closing: Promise<void> | undefined;
  return {
    async call(kind, request) {
      PoolClass ??= (await import('../../kit/load-http-pool.js')).Pool;
      const instances = options.resolver.list(kind);
      if (instances.length === 0) {
        throw httpError(503, `${kind}_unavailable`, `no ${kind} instance is registered`);
      }
      const start = turn++ % instances.length;
      const attempts = request.idempotent ? instances.length : 1;
      const body = request.body === undefined ? undefined : JSON.stringify(request.body);
      const headers: Record<string, string> = body === undefined ? { authorization } : { authorization, 'content-type': 'application/json' };
      let lastReason = 'no attempt';
      for (let i = 0; i < attempts; i++) {
        const peer = instances[(start + i) % instances.length]!;
        try {
          const res = await poolOf(peer.host, peer.port).request({ method: request.method, path: request.path, headers, body });
          const text = await res.body.text();
          if ([502, 503, 504].includes(res.statusCode) && i + 1 < attempts) {
            lastReason = `${kind}-${peer.id} answered ${res.statusCode}`;
            continue;
          }
          return { status: res.statusCode, body: text ? (JSON.parse(text) as unknown) : undefined };
        } catch (err) {
          lastReason = `${kind}-${peer.id}: ${err instanceof Error ? err.message : String(err)}`;
        }
      }
      throw httpError(503, `${kind}_unavailable`, `${kind} service did not answer (${lastReason})`);
    },
    close() {
      closing ??= (async () => {
        clearInterval(sweep);
        const all = [...pools.values()];
        pools.clear();
        await Promise.all(all.map((e) => e.pool.destroy().catch(() => undefined)));
      })();
      return closing;
    },
  };
}
