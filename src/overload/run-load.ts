import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { EcomError } from '../common/ecom-error.js';
import type { RequestSpec, Scenario, SetupCall, VirtualUser } from './build-scenario.js';
import { collectLoadStats, type RequestOutcome } from './collect-load-stats.js';
import { endpointOf } from './endpoint-of.js';
import { createRawHttpPool } from './raw-http-pool.js';
import type { LoadSnapshot } from './load-snapshot.js';
import { sampleGeneratorLoad } from './sample-generator-load.js';

/** How much load, against what. Either `requestCount` (closed model) or `rate` + `durationMs` (open model). */
export interface LoadOptions {
  origin: string;
  scenario: Scenario;
  concurrency: number;
  requestCount?: number;
  rate?: number;
  durationMs?: number;
  timeoutMs: number;
  onSnapshot?: (snapshot: LoadSnapshot) => void;
  /** Every measured request as it completes, with the wall-clock time it ended (`ecom chaos` audits these). */
  onOutcome?: (spec: RequestSpec, outcome: RequestOutcome, endedAt: number) => void;
  /** Called once the set-up is done and the first measured request is about to go. */
  onStart?: () => void;
  signal?: AbortSignal;
}

/** How long set-up calls keep answering a gateway rate limit (429) by waiting its Retry-After and trying again. */
const SETUP_RATE_LIMIT_PATIENCE_MS = 60_000;

/**
 * Transport errors of the raw pool on which an idempotent request is sent again once: the connection closed (or a
 * write hit a closed one) before any byte of the answer arrived. A close after part of the answer is
 * `ECONNRESET_PARTIAL` and not retried.
 */
const RETRYABLE = new Set(['ECONNRESET', 'EPIPE']);

/** Upper bound of the connect timeout (it is the request timeout when that is shorter), as for the set-up calls. */
const MAX_CONNECT_TIMEOUT_MS = 10_000;

/** A set-up call that got no answer, named with what it was (the run has not started; the cluster may well be up). */
function setupFailed(method: string, path: string, err: unknown): EcomError {
  const code = (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err));
  return new EcomError('scenario_setup_failed', `set-up call ${method} ${path} failed: ${code}`, {
    cause: err,
    hint:
      code === 'ECONNREFUSED' ? 'is the cluster up? (`ecom status`)' : 'the cluster answered too slowly during set-up: try fewer --users or a longer --timeout',
  });
}

/** The error kind of a failed exchange: the raw pool's code (`TIMEOUT`, `CONNECT_TIMEOUT`, `ECONNREFUSED`...). */
function errorKind(err: unknown): string {
  return (err as { code?: string }).code ?? (err instanceof Error ? err.name : 'UNKNOWN');
}

/**
 * The load engine (no UI): sends exactly `requestCount` requests over `concurrency` keep-alive connections, each
 * connection a virtual user sending its next request when the previous one completes (closed model); or sends at
 * `rate` per second for `durationMs` whatever the server does (open model), measuring each latency from its
 * intended send time so a stall shows in the percentiles (coordinated omission corrected). An idempotent request
 * whose reused connection was closed before any response (as nginx does on reload) is retried once and counted
 * as a retry. Emits a frozen snapshot every second and returns the final one. Measured requests go through a minimal
 * HTTP/1.1 pool (raw-http-pool.ts); scenario set-up calls (which need parsed JSON) through undici.
 */
export async function runLoad(options: LoadOptions): Promise<LoadSnapshot> {
  const open = options.rate !== undefined;
  const planned = open ? Math.round((options.rate! * (options.durationMs ?? 0)) / 1000) : (options.requestCount ?? 0);
  const connectTimeoutMs = Math.min(options.timeoutMs, MAX_CONNECT_TIMEOUT_MS);
  const pool = new Pool(options.origin, {
    connections: options.concurrency,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connectTimeout: connectTimeoutMs,
  });
  const setup: SetupCall = async (method, path, body, token) => {
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

  const raw = createRawHttpPool(options.origin, { connections: options.concurrency, timeoutMs: options.timeoutMs, connectTimeoutMs });
  try {
    await options.scenario.prepare(setup);
    const users: VirtualUser[] = await Promise.all(Array.from({ length: options.concurrency }, (_, vu) => options.scenario.createUser(vu + 1, setup)));
    // Connections are opened before the clock starts: the first measured second is not connection set-up.
    await raw.warm();
    const stats = collectLoadStats({ target: options.origin, scenario: options.scenario.name, model: open ? 'open' : 'closed', planned });

    const send = async (spec: RequestSpec, intendedAt: number): Promise<void> => {
      stats.started();
      let outcome: RequestOutcome;
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await raw.exchange(spec);
          outcome = {
            kind: 'response',
            status: res.status,
            latencyUs: (performance.now() - intendedAt) * 1000,
            instance: res.instance,
            cache: res.cache,
          };
          break;
        } catch (err) {
          const code = (err as { code?: string }).code ?? '';
          if (attempt === 0 && spec.idempotent && RETRYABLE.has(code)) {
            stats.retried();
            // nginx closes all idle connections of a reloading worker at once: the retry goes over a new connection
            // instead of the next dying one.
            raw.dropIdle();
            await sleep(10);
            continue;
          }
          outcome = { kind: 'failure', error: errorKind(err), latencyUs: (performance.now() - intendedAt) * 1000 };
          break;
        }
      }
      stats.record(outcome, endpointOf(spec));
      options.onOutcome?.(spec, outcome, Date.now());
    };

    options.onStart?.();
    const sampler = sampleGeneratorLoad();
    const startedAt = performance.now();
    const elapsed = (): number => performance.now() - startedAt;
    let completedCount = 0;
    const eta = (): number | null => {
      if (open) return Math.max(0, (options.durationMs ?? 0) - elapsed());
      const rate = completedCount / Math.max(1, elapsed());
      return rate > 0 ? Math.round((planned - completedCount) / rate) : null;
    };
    const ticker = setInterval(() => {
      const snap = stats.snapshot({ final: false, elapsedMs: elapsed(), etaMs: eta(), generator: { total: sampler.total(), now: sampler.lastInterval() } });
      completedCount = snap.completed;
      options.onSnapshot?.(snap);
    }, 1000);

    try {
      if (open) {
        const interval = 1000 / options.rate!;
        const inflight = new Set<Promise<void>>();
        let sent = 0;
        while (sent < planned && !options.signal?.aborted) {
          const due = Math.min(planned, Math.floor(elapsed() / interval) + 1);
          while (sent < due) {
            const intendedAt = startedAt + sent * interval;
            const p = send(users[sent % users.length]!.next(), intendedAt).finally(() => inflight.delete(p));
            inflight.add(p);
            sent++;
          }
          await sleep(1);
        }
        await Promise.all(inflight);
      } else {
        let issued = 0;
        await Promise.all(
          users.map(async (user) => {
            while (issued < planned && !options.signal?.aborted) {
              issued++;
              await send(user.next(), performance.now());
            }
          }),
        );
      }
    } finally {
      clearInterval(ticker);
      sampler.stop();
    }
    const total = sampler.total();
    const final = stats.snapshot({ final: true, elapsedMs: elapsed(), etaMs: 0, generator: { total, now: total } });
    options.onSnapshot?.(final);
    return final;
  } finally {
    raw.close();
    await pool.close().catch(() => undefined);
  }
}
