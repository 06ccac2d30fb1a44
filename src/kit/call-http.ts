import { Pool } from './load-http-pool.js';

/** One answer: its status and its body as text. */
export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
}

/** One keep-alive pool per origin in this process, shared by every call to it. */
const pools = new Map<string, Pool>();

function poolFor(origin: string): Pool {
  let pool = pools.get(origin);
  if (!pool) {
    // A registry long-poll holds one connection for up to its wait; other calls use the rest.
    pool = new Pool(origin, { connections: 4, pipelining: 1 });
    pools.set(origin, pool);
  }
  return pool;
}

/**
 * One HTTP call to `url` over a pooled keep-alive connection (undici's Pool, not the global fetch: loading fetch
 * costs a process about 120 ms of CPU, on the start-up path of every service and of the daemon). Fails when no
 * answer's headers arrive within `timeoutMs`, when the body takes longer, or when `signal` aborts.
 */
export async function callHttp(
  url: string,
  options: { method?: 'GET' | 'PUT' | 'POST' | 'DELETE'; headers?: Record<string, string>; body?: string; timeoutMs: number; signal?: AbortSignal },
): Promise<HttpAnswer> {
  const target = new URL(url);
  const res = await poolFor(target.origin).request({
    path: `${target.pathname}${target.search}`,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    signal: options.signal,
  });
  return { status: res.statusCode, text: await res.body.text() };
}
