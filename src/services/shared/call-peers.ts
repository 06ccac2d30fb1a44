import type { Pool } from '../../kit/load-http-pool.js';
import type { ServiceKind } from '../../config/defaults.js';
import { httpError } from '../../kit/http-error.js';
import type { PeerResolver } from './resolve-peers.js';
import { httpUrl } from '../../common/http-url.js';
import { callHttp } from '../../kit/call-http.js';

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
  /** Loads what the first call would (undici, 60-100 ms of CPU), ahead of it. */
  warm?(): Promise<void>;
}

/** Connections kept open to one peer instance at most; further calls queue on them. */
const CONNECTIONS_PER_PEER = 16;
/** A pool unused this long is closed (its instance probably left). */
const IDLE_POOL_MS = 60_000;

/**
 * How calls travel: `pool` — each peer instance gets its own bounded keep-alive pool (undici), for the calls on a
 * request's path; `http` — node:http's kept-alive agent, for a trickle of background calls (log batches): loading
 * undici costs a process 60-100 ms of CPU (its HTTP parser is WebAssembly), which every instance paid for its first
 * log batch right after it started, and a kind that never calls a peer on a request's path need not pay it.
 */
export type PeerTransport = 'pool' | 'http';

/** How one call reaches one peer instance: its status and body text. */
interface PeerSender {
  send(host: string, port: number, request: PeerRequest, headers: Record<string, string>, body: string | undefined): Promise<{ status: number; text: string }>;
  warm(): Promise<void>;
  close(): Promise<void>;
}

/** The `pool` transport: a bounded keep-alive undici pool per peer instance, closed once unused for IDLE_POOL_MS. */
function poolSender(timeoutMs: number): PeerSender {
  const pools = new Map<string, { pool: Pool; usedAt: number }>();
  // undici is loaded on the first peer call (or `warm`), not at start (about 10 ms of CPU off every instance's start-up).
  let PoolClass: typeof Pool | undefined;
  const warm = async (): Promise<void> => {
    PoolClass ??= (await import('../../kit/load-http-pool.js')).Pool;
  };
  const poolOf = (host: string, port: number): Pool => {
    const origin = httpUrl(host, port, '');
    let entry = pools.get(origin);
    if (!entry) {
      const pool = new PoolClass!(origin, {
        connections: CONNECTIONS_PER_PEER,
        pipelining: 1,
        connectTimeout: timeoutMs,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
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
  return {
    async send(host, port, request, headers, body) {
      if (!PoolClass) await warm();
      const res = await poolOf(host, port).request({ method: request.method, path: request.path, headers, body });
      return { status: res.statusCode, text: await res.body.text() };
    },
    warm,
    async close() {
      clearInterval(sweep);
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((e) => e.pool.destroy().catch(() => undefined)));
    },
  };
}

/** The `http` transport: node:http's kept-alive agent (callHttp), nothing to load or close. */
function httpSender(timeoutMs: number): PeerSender {
  return {
    async send(host, port, request, headers, body) {
      const answer = await callHttp(httpUrl(host, port, request.path), { method: request.method, headers, body, timeoutMs });
      return { status: answer.status, text: answer.text };
    },
    warm: async () => undefined,
    close: async () => undefined,
  };
}

/**
 * Creates the peer client. With the `pool` transport (the default) the pools' own timers bound connecting, waiting
 * for the answer's headers and reading its body by `timeoutMs` each: no new socket, signal or timer per call.
 * Instances are tried starting from a rotating position; a connection failure, a timeout or a 502/503/504 moves an
 * idempotent call to the next instance. When no instance answers, the caller gets a 503 `<kind>_unavailable`,
 * which the error handler passes to the client.
 */
export function callPeers(options: { resolver: PeerResolver; clusterToken: string; timeoutMs: number; transport?: PeerTransport }): PeerClient {
  let turn = 0;
  const authorization = `Bearer ${options.clusterToken}`;
  const sender = options.transport === 'http' ? httpSender(options.timeoutMs) : poolSender(options.timeoutMs);
  let closing: Promise<void> | undefined;
  return {
    async call(kind, request) {
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
          const { status, text } = await sender.send(peer.host, peer.port, request, headers, body);
          if ([502, 503, 504].includes(status) && i + 1 < attempts) {
            lastReason = `${kind}-${peer.id} answered ${status}`;
            continue;
          }
          return { status, body: text ? (JSON.parse(text) as unknown) : undefined };
        } catch (err) {
          lastReason = `${kind}-${peer.id}: ${err instanceof Error ? err.message : String(err)}`;
        }
      }
      throw httpError(503, `${kind}_unavailable`, `${kind} service did not answer (${lastReason})`);
    },
    warm: () => sender.warm(),
    close() {
      closing ??= sender.close();
      return closing;
    },
  };
}
