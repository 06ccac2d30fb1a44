import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Docker from 'dockerode';
import type { InstanceExit, InstanceHandle, InstanceSpec, Runtime } from '../runtime.js';
import { addressPool } from './assign-addresses.js';
import { containerOptions, type ContainerContext } from './container-options.js';
import { containerNameOf } from './docker-names.js';
import { describeStartFailure, prepareContainer, removeContainer, type PreparedContainer } from './prepare-container.js';

/** A created container and the address it was given on the cluster network (none: the engine's choice). */
type Prepared = PreparedContainer & { address: string | undefined };

/** The docker runtime, with what the cluster's start adds to the seam. */
export interface DockerRuntime extends Runtime {
  /**
   * Creates and starts these instances' containers now, before the supervisor asks: container start-up is the
   * engine's costliest step (a network namespace, the bridge endpoint, the published port), and a service tolerates
   * a registry and a redis-server that answer only later (it retries both). `start` of the same spec then hands over
   * the running instance; a different spec replaces it.
   */
  prestart(specs: InstanceSpec[]): void;
  close(): Promise<void>;
}

/**
 * The docker runtime: each instance is a container (see container-options) created and started through the
 * engine's API, its output appended to its log file (demultiplexed), its end seen through the engine's wait. A start
 * the engine refuses surfaces as an exit with code 127, the reason written to the log file. An ended container is
 * renamed at once (its name is free for the next start: a restart never waits for a removal) and removed in the
 * background. A container that ended unasked (a crash) gets its successor created at once, during the supervisor's
 * restart delay: the restart is then only the engine's start. `stop` sends the stop signal with the grace period (0:
 * killed at once) and resolves once the container's output ended (its process is gone; the engine's own clean-up,
 * its network endpoint and published port, goes on in the background, and the next container of that name or port
 * waits for it); `close` waits for every container's end, then for every removal and, with `onClose`, the network's
 * removal (both at once: a network is free once its containers ended). `trace` (ECOM_DOCKER_TIMINGS=1) gets how long
 * each engine step took.
 */
export function dockerRuntime(docker: Docker, ctx: ContainerContext, onClose?: () => Promise<void>, trace?: (line: string) => void): DockerRuntime {
  /** Per instance name and per published port: resolves once the engine released the previous container's. */
  const freed = new Map<string | number, Promise<void>>();
  const live = new Set<Promise<void>>();
  /** Per crashed instance: its next container, created (not started) with these options. */
  const spares = new Map<string, { options: string; prepared: Promise<Prepared | undefined> }>();
  /** Addresses on the cluster network, given in turn (a replacement never gets its predecessor's). */
  const pool = ctx.network.assignable ? addressPool(ctx.network.subnet) : undefined;
  let closing: Promise<void> | undefined;
  let generation = 0;

  /** Instances started ahead of the supervisor's call (`prestart`), by name, with the options they were created with. */
  const early = new Map<string, { options: string; handle: InstanceHandle }>();
  const optionsOf = (spec: InstanceSpec): string => JSON.stringify(containerOptions(spec, ctx));

  /** Creates a container for `spec` on an address of the pool (when it joins the cluster network). */
  const prepare = async (spec: InstanceSpec): Promise<Prepared> => {
    const address = containerOptions(spec, ctx).NetworkingConfig ? pool?.take() : undefined;
    try {
      return { ...(await prepareContainer(docker, containerOptions(spec, ctx, address))), address };
    } catch (err) {
      if (address) pool?.release(address);
      throw err;
    }
  };

  /** Removes a prepared container that will not run; its address is free again. */
  const discard = async (prepared: Prepared): Promise<void> => {
    await removeContainer(docker, prepared.container.id);
    if (prepared.address) pool?.release(prepared.address);
  };

  /** The spare of this instance when it was made with these options; one made with others is discarded. */
  const takeSpare = async (spec: InstanceSpec, options: string): Promise<Prepared | undefined> => {
    const spare = spares.get(spec.name);
    spares.delete(spec.name);
    const prepared = await spare?.prepared;
    if (prepared && spare?.options === options) return prepared;
    if (prepared) await discard(prepared);
    return undefined;
  };

  const launch = (spec: InstanceSpec): InstanceHandle => {
    const name = containerNameOf(ctx.stateDir, spec.name);
    mkdirSync(dirname(spec.logFile), { recursive: true });
    const log = createWriteStream(spec.logFile, { flags: 'a' });
    let pid: number | undefined;
    let container: Docker.Container | undefined;
    let address: string | undefined;
    let stopRequested = false;
    let resolveEnded: (exit: InstanceExit) => void = () => undefined;
    /** The engine's end of the container (its network endpoint and published port released). */
    const ended = new Promise<InstanceExit>((resolve) => (resolveEnded = resolve));
    let resolveExit: (exit: InstanceExit) => void = () => undefined;
    const exited = new Promise<InstanceExit>((resolve) => (resolveExit = resolve));
    void ended.then(resolveExit);
    let resolveOutputGone: () => void = () => undefined;
    const outputGone = new Promise<void>((resolve) => (resolveOutputGone = resolve));
    const t0 = performance.now();
    const lap = (step: string): void => trace?.(`docker ${spec.name}: ${step} at +${Math.round(performance.now() - t0)} ms`);
    const previous = Promise.all([freed.get(spec.name), spec.port === undefined ? undefined : freed.get(spec.port)]);
    const started = (async (): Promise<boolean> => {
      try {
        await previous;
        const spare = await takeSpare(spec, optionsOf(spec));
        const ready = spare ?? (await prepare(spec));
        ({ container, address } = ready);
        lap(spare ? 'created (spare)' : 'created');
        docker.modem.demuxStream(ready.output, log, log);
        ready.output.once('end', resolveOutputGone);
        ready.output.once('close', resolveOutputGone);
        await container.start();
        lap('started');
        void ready.waited.then(
          (result) => resolveEnded({ code: result.StatusCode ?? null, signal: null }),
          () => resolveEnded({ code: null, signal: null }),
        );
        pid = ((await container.inspect()) as { State?: { Pid?: number } }).State?.Pid || undefined;
        return true;
      } catch (err) {
        log.write(`ecom: could not start container ${name}: ${describeStartFailure(spec, err)}\n`);
        resolveEnded({ code: 127, signal: null });
        return false;
      }
    })();
    // Once ended: renamed out of the way (the name is free for the next start), then removed.
    const renamed = ended.then(async () => {
      lap('exited');
      if (!container) return;
      await container.rename({ name: `${name}-ended-${process.pid}-${++generation}` }).catch(() => removeContainer(docker, name));
    });
    // Ended unasked: the successor is created while the supervisor's restart delay runs (started only when asked).
    void ended.then(() => {
      if (stopRequested || closing || !container) return;
      const prepared = renamed.then(() => (closing ? undefined : prepare(spec))).catch(() => undefined);
      spares.set(spec.name, { options: optionsOf(spec), prepared });
    });
    const removed = renamed.then(async () => {
      if (container) await removeContainer(docker, container.id);
      if (address) pool?.release(address);
      log.end();
      lap('removed');
    });
    freed.set(spec.name, renamed);
    if (spec.port !== undefined) freed.set(spec.port, renamed);
    live.add(removed);
    void removed.then(() => live.delete(removed));
    let stopping: Promise<void> | undefined;
    return {
      name: spec.name,
      logFile: spec.logFile,
      address: spec.port === undefined ? undefined : { host: '127.0.0.1', port: spec.port },
      get pid() {
        return pid;
      },
      exited,
      stop(timeoutMs = spec.stopTimeoutMs) {
        stopping ??= (async () => {
          if (await started) {
            lap('stop sent');
            stopRequested = true;
            const signal = timeoutMs <= 0 ? 'SIGKILL' : (spec.stopSignal ?? 'SIGTERM');
            // Its output ends when its process is gone: the engine's clean-up after that is not waited for here.
            void outputGone.then(() => resolveExit({ code: null, signal }));
            const request = timeoutMs <= 0 ? container!.kill() : container!.stop({ t: Math.max(1, Math.ceil(timeoutMs / 1000)) });
            void request.catch(() => undefined);
          }
          await exited;
        })();
        return stopping;
      },
    };
  };

  return {
    start(spec) {
      const ahead = early.get(spec.name);
      early.delete(spec.name);
      if (ahead && ahead.options === optionsOf(spec)) return ahead.handle;
      void ahead?.handle.stop(0);
      return launch(spec);
    },
    prestart(specs) {
      for (const spec of specs) if (!early.has(spec.name)) early.set(spec.name, { options: optionsOf(spec), handle: launch(spec) });
    },
    close() {
      closing ??= (async () => {
        // Started ahead but never asked for (a start that failed earlier): stopped with the rest.
        await Promise.all([...early.values()].map(({ handle }) => handle.stop(0)));
        early.clear();
        // Every container ended (its network endpoint released with it), spares never taken removed: then the
        // network goes while the ended ones are removed.
        await Promise.all([...freed.values()]);
        const left = [...spares.values()];
        spares.clear();
        await Promise.all(left.map(async ({ prepared }) => prepared.then((p) => p && discard(p))));
        await Promise.all([...live, onClose?.()]);
      })();
      return closing;
    },
  };
}
