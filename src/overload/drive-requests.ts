import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestSpec, VirtualUser } from './build-scenario.js';
import { endpointOf } from './endpoint-of.js';
import type { ExchangeCallback, RawHttpPool } from './raw-http-pool.js';
import type { RequestOutcome } from './request-outcome.js';

/** Where the driven requests are counted: the run's collector, or a worker thread's per-second delta. */
export interface RequestSink {
  started(): void;
  retried(): void;
  record(outcome: RequestOutcome, endpoint: string): void;
}

/**
 * Which requests to send. Closed model: a virtual user sends its next request while `claim()` grants one (a counter
 * shared by every thread keeps the total exact). Open model: the requests `first`, `first + step`, ... below
 * `planned` of a schedule of one every `intervalMs` (a worker thread takes every `step`-th one of the whole run's).
 */
export type DrivePlan = { model: 'closed'; claim(): boolean } | { model: 'open'; intervalMs: number; first: number; step: number; planned: number };

/** What `driveRequests` needs: the pool, the virtual users, where outcomes go, the plan and the clock's zero. */
export interface DriveOptions {
  raw: RawHttpPool;
  users: readonly VirtualUser[];
  sink: RequestSink;
  plan: DrivePlan;
  /** `performance.now()` of the run's first measured instant (open model: the schedule's zero). */
  startedAt: number;
  stopped(): boolean;
  onOutcome?: (spec: RequestSpec, outcome: RequestOutcome, endedAt: number) => void;
}

/**
 * Transport errors of the raw pool on which an idempotent request is sent again once: the connection closed (or a
 * write hit a closed one) before any byte of the answer arrived. A close after part of the answer is
 * `ECONNRESET_PARTIAL` and not retried.
 */
const RETRYABLE = new Set(['ECONNRESET', 'EPIPE']);

/** The error kind of a failed exchange: the raw pool's code (`TIMEOUT`, `CONNECT_TIMEOUT`, `ECONNREFUSED`...). */
function errorKind(err: unknown): string {
  return (err as { code?: string }).code ?? (err instanceof Error ? err.name : 'UNKNOWN');
}

/**
 * One request in flight and what follows it: a virtual user's (closed model: the same object for every request of
 * the user, so its completion callback is made once, not per request) or one scheduled request (open model).
 */
class Exchange {
  private spec: RequestSpec | undefined;
  private intendedAt = 0;
  private retry = false;

  constructor(
    private readonly o: DriveOptions,
    /** Called with the completion time once the outcome is recorded. */
    private readonly then: (endedAt: number) => void,
  ) {}

  /** Sends `spec`, whose latency runs from `intendedAt`; `now` is the clock as the caller just read it. */
  start(spec: RequestSpec, intendedAt: number, now: number): void {
    this.spec = spec;
    this.intendedAt = intendedAt;
    this.retry = false;
    this.o.sink.started();
    this.o.raw.send(spec, this.done, now);
  }

  private readonly done: ExchangeCallback = (err, res) => {
    const endedAt = performance.now();
    const { o } = this;
    const spec = this.spec!;
    let outcome: RequestOutcome;
    if (res) {
      outcome = { kind: 'response', status: res.status, latencyUs: (endedAt - this.intendedAt) * 1000, instance: res.instance, cache: res.cache };
    } else {
      if (!this.retry && spec.idempotent && RETRYABLE.has(err?.code ?? '')) {
        this.retry = true;
        o.sink.retried();
        // nginx closes all idle connections of a reloading worker at once: the retry goes over a new connection
        // instead of the next dying one.
        o.raw.dropIdle();
        setTimeout(this.resend, 10);
        return;
      }
      outcome = { kind: 'failure', error: errorKind(err), latencyUs: (endedAt - this.intendedAt) * 1000 };
    }
    o.sink.record(outcome, spec.endpoint ?? endpointOf(spec));
    o.onOutcome?.(spec, outcome, Date.now());
    this.then(endedAt);
  };

  private readonly resend = (): void => this.o.raw.send(this.spec!, this.done, performance.now());
}

/**
 * Sends the plan's requests and resolves when every one has completed (or, once `stopped()`, when those in flight
 * have). Each latency runs from the request's intended send time: when it was sent (closed model: when the user's
 * previous request completed, the clock read once for both) or when the schedule wanted it sent (open model,
 * coordinated omission corrected). An idempotent request whose reused connection was closed before any response
 * (as nginx does on reload) is retried once and counted as a retry.
 */
export async function driveRequests(o: DriveOptions): Promise<void> {
  const plan = o.plan;
  if (plan.model === 'open') {
    let inflight = 0;
    let drained: () => void = () => undefined;
    const landed = (): void => {
      if (--inflight === 0) drained();
    };
    let k = plan.first;
    let sent = 0;
    while (k < plan.planned && !o.stopped()) {
      const now = performance.now();
      const due = Math.min(plan.planned, Math.floor((now - o.startedAt) / plan.intervalMs) + 1);
      while (k < due) {
        inflight++;
        new Exchange(o, landed).start(o.users[sent % o.users.length]!.next(), o.startedAt + k * plan.intervalMs, now);
        k += plan.step;
        sent++;
      }
      await sleep(1);
    }
    if (inflight > 0) await new Promise<void>((resolve) => (drained = resolve));
    return;
  }
  await Promise.all(
    o.users.map(
      (user) =>
        new Promise<void>((resolve) => {
          const next = (now: number): void => {
            if (o.stopped() || !plan.claim()) return resolve();
            exchange.start(user.next(), now, now);
          };
          const exchange = new Exchange(o, next);
          next(performance.now());
        }),
    ),
  );
}
