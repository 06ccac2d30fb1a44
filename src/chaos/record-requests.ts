import type { RequestSpec } from '../overload/build-scenario.js';
import type { RequestOutcome } from '../overload/collect-load-stats.js';
import type { InjectedFault } from './inject-fault.js';

/** One request that failed during a chaos run, with the fault in force when it ended. */
export interface FailedRequest {
  /** Milliseconds since the load started. */
  atMs: number;
  method: string;
  path: string;
  /** `HTTP_<status>` or the transport error kind (`ECONNRESET`, `TIMEOUT`...). */
  error: string;
  /** `kill-instance product-2` or similar; absent when no fault was in force. */
  fault?: string;
}

/** How long after a fault ends a failure is still put down to it (restarts, re-registration, gateway sync). */
const FAULT_SHADOW_MS = 5000;

/** Collects what the chaos audit needs from every measured request: failures, and keys of orders answered 201. */
export function recordRequests(): {
  record(spec: RequestSpec, outcome: RequestOutcome, endedAt: number): void;
  start(at: number): void;
  failures(faults: readonly InjectedFault[]): FailedRequest[];
  answeredOrderKeys(): string[];
} {
  let startedAt = Date.now();
  const failed: Array<Omit<FailedRequest, 'fault'> & { sentAtMs: number }> = [];
  const keys: string[] = [];
  return {
    start(at) {
      startedAt = at;
    },
    record(spec, outcome, endedAt) {
      const ok = outcome.kind === 'response' && outcome.status < 400;
      if (ok) {
        const key = spec.headers['idempotency-key'];
        if (key && outcome.kind === 'response' && outcome.status === 201) keys.push(key);
        return;
      }
      const error = outcome.kind === 'response' ? `HTTP_${outcome.status}` : outcome.error;
      const atMs = endedAt - startedAt;
      failed.push({ atMs, sentAtMs: atMs - outcome.latencyUs / 1000, method: spec.method, path: spec.path.split('?')[0]!, error });
    },
    failures(faults) {
      return failed.map(({ sentAtMs, ...f }) => {
        // The latest fault whose time (plus its shadow) overlaps the request's flight.
        const cause = [...faults].reverse().find((x) => !x.skipped && x.atMs <= f.atMs && sentAtMs <= x.endsAtMs + FAULT_SHADOW_MS);
        return cause ? { ...f, fault: `${cause.kind} ${cause.target}` } : f;
      });
    },
    answeredOrderKeys: () => [...keys],
  };
}
