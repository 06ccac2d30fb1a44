import type { Logger } from '../kit/create-logger.js';
import type { SupervisorTimings } from '../config/defaults.js';
import type { InstanceSpec, Runtime } from '../runtime/runtime.js';
import type { Rotation } from './leave-rotation.js';
import { ManagedProcess } from './managed-process.js';
import { restartOnCrash, type RestartPolicy } from './restart-on-crash.js';
import { restartOnHealthFailure, type Health } from './restart-on-health-failure.js';

/** A managed process together with the health checks that restart it. */
export interface Supervised {
  proc: ManagedProcess;
  /** Answers true when the instance serves (HTTP 200, PING, a TCP accept). */
  probe: () => Promise<boolean>;
  health: { health(): Health; markHealthy(): void; markStarting(): void; stop(): void };
  /** Stops the health checks and the process for good. Idempotent. */
  stop(): Promise<void>;
}

/** What supervising one process needs. */
export interface SuperviseDeps {
  runtime: Runtime;
  log: Logger;
  timings: Pick<SupervisorTimings, 'healthIntervalMs' | 'healthFailures'> &
    Partial<Pick<SupervisorTimings, 'healthRetryMs' | 'startTimeoutMs' | 'readyPollMs'>>;
  /** Takes a failing instance out of the gateway's rotation (the registry); none: left to the registry's TTL. */
  rotation?: Rotation;
  /** A fresh restart policy per process (crash backoff by default). */
  policy?: () => RestartPolicy;
  /** Called whenever the process or its health changes. */
  onChange?: () => void;
}

/**
 * Starts one process under supervision: restarted with backoff when it exits unexpectedly; out of rotation at its
 * first failed probe; killed (SIGKILL, no grace: it cannot answer) and started again after `healthFailures` failed
 * probes in a row. It is not yet known healthy when this returns (see wait-ready).
 */
export function superviseProcess(spec: InstanceSpec, probe: () => Promise<boolean>, deps: SuperviseDeps): Supervised {
  const changed = (): void => deps.onChange?.();
  // A dead instance leaves the registry before its replacement starts: nginx stops sending it requests (which would
  // eject its address, and the replacement's with it, as the same address comes back) and the replacement registers afresh.
  const beforeRestart = async (): Promise<void> => deps.rotation?.remove(spec);
  const proc = new ManagedProcess(spec, { runtime: deps.runtime, policy: (deps.policy ?? (() => restartOnCrash()))(), beforeRestart });
  proc.on('exit', ({ code, signal, expected }) => {
    if (expected) deps.log.info(`${spec.name} stopped`, { code, signal });
    else deps.log.warn(`${spec.name} exited unexpectedly`, { code, signal });
    // Its replacement starts at once (a container in well under a health interval): a probe that meets it
    // mid-start must not count as a healthy instance failing (that would take the replacement out of the registry).
    if (!expected) health.markStarting();
    changed();
  });
  proc.on('state', changed);
  // Said once: a replacement meets the same refusal.
  let warned = false;
  proc.on('warning', (text: string) => {
    if (!warned) deps.log.warn(`${spec.name}: ${text}`);
    warned = true;
  });
  const { healthFailures, healthIntervalMs, healthRetryMs } = deps.timings;
  let last: Health = 'starting';
  const health = restartOnHealthFailure({
    probe,
    isRunning: () => proc.state === 'running',
    leave: async () => {
      deps.log.warn(`${spec.name} failed a health check`);
      await deps.rotation?.leave(spec);
    },
    restart: async () => {
      deps.log.warn(`${spec.name} failed ${healthFailures} health checks in a row, killing it and starting it again`);
      await proc.restart({ graceMs: 0, beforeStart: async () => deps.rotation?.remove(spec) });
    },
    intervalMs: healthIntervalMs,
    retryMs: healthRetryMs,
    startGraceMs: deps.timings.startTimeoutMs,
    startingPollMs: deps.timings.readyPollMs,
    failuresBeforeRestart: healthFailures,
    onHealth: (next) => {
      if (next === 'healthy' && last === 'unhealthy') deps.log.info(`${spec.name} answers its health check again`);
      last = next;
      changed();
    },
  });
  proc.start();
  return {
    proc,
    probe,
    health,
    stop: async () => {
      health.stop();
      await proc.stop();
    },
  };
}
