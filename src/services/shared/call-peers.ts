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
}

/**
 * Creates the peer client. Instances are tried starting from a rotating position; a connection failure, a timeout
 * or a 502/503/504 moves an idempotent call to the next instance. When no instance answers, the caller gets a 503
 * `<kind>_unavailable`, which the error handler passes to the client.
 */
export function callPeers(options: { resolver: PeerResolver; clusterToken: string; timeoutMs: number }): PeerClient {
  let turn = 0;
  return {
    async call(kind, request) {
      const instances = options.resolver.list(kind);
      if (instances.length === 0) {
        throw httpError(503, `${kind}_unavailable`, `no ${kind} instance is registered`);
      }
      const start = turn++ % instances.length;
      const attempts = request.idempotent ? instances.length : 1;
      let lastReason = 'no attempt';
      for (let i = 0; i < attempts; i++) {
        const peer = instances[(start + i) % instances.length]!;
        try {
          const res = await fetch(httpUrl(peer.host, peer.port, request.path), {
            method: request.method,
            headers: {
              authorization: `Bearer ${options.clusterToken}`,
              ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            body: request.body === undefined ? undefined : JSON.stringify(request.body),
            signal: AbortSignal.timeout(options.timeoutMs),
          });
          const text = await res.text();
          if ([502, 503, 504].includes(res.status) && i + 1 < attempts) {
            lastReason = `${kind}-${peer.id} answered ${res.status}`;
            continue;
          }
          return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
        } catch (err) {
          lastReason = `${kind}-${peer.id}: ${err instanceof Error ? err.message : String(err)}`;
        }
      }
      throw httpError(503, `${kind}_unavailable`, `${kind} service did not answer (${lastReason})`);
    },
  };
}
