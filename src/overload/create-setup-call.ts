import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'undici';
import { EcomError } from '../common/ecom-error.js';
import type { SetupCall } from './build-scenario.js';

/** How long set-up calls keep answering a gateway rate limit (429) by waiting its Retry-After and trying again. */
const SETUP_RATE_LIMIT_PATIENCE_MS = 60_000;

/** A set-up call that got no answer, named with what it was (the run has not started; the cluster may well be up). */
function setupFailed(method: string, path: string, err: unknown): EcomError {
  const code = (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err));
  return new EcomError('scenario_setup_failed', `set-up call ${method} ${path} failed: ${code}`, {
    cause: err,
    hint:
      code === 'ECONNREFUSED' ? 'is the cluster up? (`ecom status`)' : 'the cluster answered too slowly during set-up: try fewer --users or a longer --timeout',
  });
}

/**
 * The scenario's uncounted set-up calls (discovery, registration, login) over undici, which parses the JSON answers
 * the measured requests never need; a gateway rate limit (429) is waited out as it asks. `close` ends its connections.
 */
export function createSetupCall(
  origin: string,
  options: { connections: number; timeoutMs: number; connectTimeoutMs: number; signal?: AbortSignal },
): { call: SetupCall; close(): Promise<void> } {
  // undici is loaded on the first set-up call: a --target run makes none and starts faster without it.
  let pool: Pool | undefined;
  const open = async (): Promise<Pool> => {
    const { Pool } = await import('undici');
    return (pool ??= new Pool(origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: options.connectTimeoutMs,
    }));
  };
  const call: SetupCall = async (method, path, body, token) => {
    const pool = await open();
    const giveUpAt = Date.now() + SETUP_RATE_LIMIT_PATIENCE_MS;
    for (;;) {
      const res = await pool
        .request({
          method,
          path,
          headers: {
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        })
        .catch((err: unknown) => {
          throw setupFailed(method, path, err);
        });
      const text = await res.body.text();
      // Signing many virtual users up meets the gateway's sign-in limit: wait as it asks, then go on.
      if (res.statusCode === 429 && Date.now() < giveUpAt && !options.signal?.aborted) {
        const retryAfter = Number(res.headers['retry-after']);
        await sleep(1000 * (Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 5) : 1) * (0.5 + Math.random()));
        continue;
      }
      return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
    }
  };
  return { call, close: async () => pool?.close().catch(() => undefined) };
}
