import { setTimeout as sleep } from 'node:timers/promises';
import { EcomError } from '../common/ecom-error.js';
import type { SupervisorTimings } from '../config/defaults.js';
import type { ProxySync } from '../gateway/sync-proxy.js';
import type { RegistryWatch } from '../registry/watch-registry.js';
import { readLogTail } from './read-log-tail.js';
import type { Supervised } from './supervise-process.js';

/** How long to wait and how often to look, and whether the cluster is being stopped meanwhile. */
export interface ReadyContext {
  timings: Pick<SupervisorTimings, 'startTimeoutMs' | 'readyPollMs' | 'readyFallbackPollMs'>;
  stopping: () => boolean;
}

/**
 * Polls `check` until it returns a value. Fails, naming the process and the end of its log, when the deadline
 * passes or the process is crash-looping; fails at once when the cluster is being stopped.
 */
export async function waitFor<T>(
  entry: Supervised,
  what: string,
  ctx: ReadyContext,
  deadline: number,
  check: () => T | undefined | Promise<T | undefined>,
  /** How long to wait before the next look (default: readyPollMs). */
  pause: () => Promise<unknown> = () => sleep(ctx.timings.readyPollMs),
): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    const info = entry.proc.info();
    if (ctx.stopping()) throw new EcomError('cluster_stopping', `stopped while waiting for ${what}`);
    if (Date.now() > deadline || (info.crashLoop && info.state !== 'running')) {
      const tail = readLogTail(entry.proc.logFile, 3).join(' | ');
      throw new EcomError('start_failed', `timed out waiting for ${what}${tail ? `; its log ends: ${tail}` : ''}`, {
        hint: `see ${entry.proc.logFile}`,
      });
    }
    await pause();
  }
}

/**
 * Waits until the process answers its probe, then marks it healthy. A process that notifies readiness (the process
 * runtime's services and registry) is probed when it says it serves, and otherwise only every readyFallbackPollMs:
 * probing every readyPollMs a port that refuses connections cost the daemon about half a millisecond of CPU a probe
 * (a request, a refused connection, an error with its stack), 250 ms while ten scaled instances started, taken from
 * the instances themselves.
 */
export async function waitHealthy(entry: Supervised, ctx: ReadyContext): Promise<void> {
  const deadline = Date.now() + ctx.timings.startTimeoutMs;
  // Once a notice was heard (and the probe after it failed), or where there is none, probes go at the start-up pace.
  let heard = false;
  const pause = async (): Promise<unknown> => {
    const ready = entry.proc.ready;
    if (!ready || heard) return sleep(ctx.timings.readyPollMs);
    const timer = new AbortController();
    const fallback = sleep(ctx.timings.readyFallbackPollMs, undefined, { signal: timer.signal }).catch(() => undefined);
    await Promise.race([ready.then(() => (heard = true)), fallback]);
    timer.abort();
    return undefined;
  };
  await waitFor(entry, `${entry.proc.spec.name} to become healthy`, ctx, deadline, async () => ((await entry.probe()) ? true : undefined), pause);
  entry.health.markHealthy();
}

/**
 * Waits until a service instance is listed by the registry with its id and port and, when `sync` is given (nginx
 * runs), until the proxy sync applied a listing at least that new: nginx then routes to it.
 */
export async function waitRegisteredAndRouted(entry: Supervised, ctx: ReadyContext, watch: RegistryWatch, sync: ProxySync | undefined): Promise<void> {
  const { service, id, port, name } = entry.proc.spec;
  const deadline = Date.now() + ctx.timings.startTimeoutMs;
  const registeredAt = await waitFor(entry, `${name} to register`, ctx, deadline, () => {
    const listing = watch.current();
    return listing?.services[service]?.some((i) => i.id === id && i.port === port) ? listing.index : undefined;
  });
  if (!sync) return;
  await sync.flush();
  await waitFor(entry, `nginx to route to ${name}`, ctx, deadline, () => {
    const applied = sync.status().appliedIndex;
    return applied !== undefined && applied >= registeredAt ? true : undefined;
  });
}
