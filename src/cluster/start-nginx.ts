import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EcomError } from '../common/ecom-error.js';
import { SUPERVISOR_TIMINGS } from '../config/defaults.js';
import type { NginxPaths } from '../config/state-layout.js';
import { runningNginxPid } from '../gateway/control-nginx.js';
import { processRuntime } from '../runtime/process-runtime.js';
import type { Runtime } from '../runtime/runtime.js';
import { nginxSpec } from './process-specs.js';

/** A running nginx master (foreground, started through a runtime). */
export interface NginxHandle {
  pid: number | undefined;
  /** Graceful stop (SIGQUIT), then a hard kill of the whole group after the grace period; idempotent. */
  stop(): Promise<void>;
  /** Same as `stop()`. */
  close(): Promise<void>;
}

/**
 * Starts nginx, unsupervised, on an already written config under its own prefix (for `ecom nginx start` and
 * tests); resolves once the master wrote its pid file. Its output goes to `nginx.out.log` in the prefix.
 */
export async function startNginx(paths: NginxPaths, options: { runtime?: Runtime; timeoutMs?: number } = {}): Promise<NginxHandle> {
  const runtime = options.runtime ?? processRuntime();
  const handle = runtime.start(nginxSpec(paths, join(paths.prefix, 'nginx.out.log')));
  let exit: string | undefined;
  void handle.exited.then((e) => (exit = `nginx exited with ${e.code ?? e.signal}`));
  const deadline = Date.now() + (options.timeoutMs ?? SUPERVISOR_TIMINGS.nginxStartTimeoutMs);
  while (handle.pid === undefined || runningNginxPid(paths) !== handle.pid) {
    if (exit !== undefined || Date.now() > deadline) {
      await handle.stop(0);
      throw new EcomError('nginx_start_failed', `nginx did not start: ${exit ?? 'timed out'}`, { hint: `see ${paths.errorLog}` });
    }
    await sleep(25);
  }
  const stop = (): Promise<void> => handle.stop();
  return { pid: handle.pid, stop, close: stop };
}
