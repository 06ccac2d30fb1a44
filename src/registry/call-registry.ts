import { Pool } from '../kit/load-http-pool.js';

/** The registry's answer to one call: its status and its parsed JSON body (undefined when it sent none). */
export interface RegistryAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** One keep-alive pool per registry in this process, shared by registration, heartbeats and watches. */
const pools = new Map<string, Pool>();

function poolFor(origin: string): Pool {
  let pool = pools.get(origin);
  if (!pool) {
    // A long-poll holds one connection for up to its wait; heartbeats and one-off reads use the others.
    pool = new Pool(origin, { connections: 4, pipelining: 1 });
    pools.set(origin, pool);
  }
  return pool;
}

/**
 * One HTTP call to the registry at `registryUrl` over a pooled keep-alive connection (undici, not the global fetch:
 * loading fetch costs every service process about 120 ms of CPU at start). Fails when no answer's headers arrive
 * within `timeoutMs` or when `signal` aborts.
 */
export async function callRegistry(
  registryUrl: string,
  path: string,
  options: { method?: 'GET' | 'PUT' | 'DELETE'; headers?: Record<string, string>; body?: string; timeoutMs: number; signal?: AbortSignal },
): Promise<RegistryAnswer> {
  const url = new URL(registryUrl);
  const res = await poolFor(url.origin).request({
    path: `${url.pathname.replace(/\/$/, '')}${path}`,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    signal: options.signal,
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}
