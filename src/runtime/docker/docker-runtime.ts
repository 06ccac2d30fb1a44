import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Docker from 'dockerode';
import type { InstanceExit, InstanceHandle, InstanceSpec, Runtime } from '../runtime.js';
import { dockerMessage } from './connect-docker.js';
import { containerOptions, type ContainerContext } from './container-options.js';
import { containerNameOf } from './docker-names.js';

/** Removes a container whatever its state; a container already gone is fine. */
async function removeContainer(docker: Docker, name: string): Promise<void> {
  await docker
    .getContainer(name)
    .remove({ force: true, v: true })
    .catch(() => undefined);
}

/** An engine error as a line for the instance's log, naming the fix for the common ones. */
function describeStartFailure(spec: InstanceSpec, err: unknown): string {
  const message = dockerMessage(err);
  if (/port is already allocated|address already in use/i.test(message)) return `port ${spec.port} is taken on 127.0.0.1: ${message}`;
  if (/no such image/i.test(message)) return `image missing (build it with \`ecom image build\`): ${message}`;
  return message;
}

/** Creates the container; one of that name left over (a run that did not end cleanly) is removed first, only then. */
async function createContainer(docker: Docker, options: Docker.ContainerCreateOptions): Promise<Docker.Container> {
  try {
    return await docker.createContainer(options);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 409) throw err;
    await removeContainer(docker, options.name!);
    return docker.createContainer(options);
  }
}

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
 * background; `stop` sends the stop signal with the grace period (0: killed at once) and resolves once it ended;
 * `close` waits for every container to end, then for every removal and, with `onClose`, the network's removal (both at
 * once: a network is free once its containers ended). `trace` (ECOM_DOCKER_TIMINGS=1) gets
 * how long each engine step took.
 */
export function dockerRuntime(docker: Docker, ctx: ContainerContext, onClose?: () => Promise<void>, trace?: (line: string) => void): DockerRuntime {
  /** Per instance: resolves once its previous container gave up the name. */
  const freed = new Map<string, Promise<void>>();
  const live = new Set<Promise<void>>();
  let closing: Promise<void> | undefined;
  let generation = 0;

  /** Instances started ahead of the supervisor's call (`prestart`), by name, with the options they were created with. */
  const early = new Map<string, { options: string; handle: InstanceHandle }>();
  const optionsOf = (spec: InstanceSpec): string => JSON.stringify(containerOptions(spec, ctx));

  const launch = (spec: InstanceSpec): InstanceHandle => {
    const name = containerNameOf(ctx.stateDir, spec.name);
    mkdirSync(dirname(spec.logFile), { recursive: true });
    const log = createWriteStream(spec.logFile, { flags: 'a' });
    let pid: number | undefined;
    let container: Docker.Container | undefined;
    let resolveExit: (exit: InstanceExit) => void = () => undefined;
    const exited = new Promise<InstanceExit>((resolve) => (resolveExit = resolve));
    const t0 = performance.now();
    const lap = (step: string): void => trace?.(`docker ${spec.name}: ${step} at +${Math.round(performance.now() - t0)} ms`);
    const previous = freed.get(spec.name);
    const started = (async (): Promise<boolean> => {
      try {
        await previous;
        container = await createContainer(docker, containerOptions(spec, ctx));
        lap('created');
        const output = await container.attach({ stream: true, stdout: true, stderr: true });
        docker.modem.demuxStream(output, log, log);
        const waited = container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode?: number }>;
        await container.start();
        lap('started');
        void waited.then(
          (result) => resolveExit({ code: result.StatusCode ?? null, signal: null }),
          () => resolveExit({ code: null, signal: null }),
        );
        pid = ((await container.inspect()) as { State?: { Pid?: number } }).State?.Pid || undefined;
        return true;
      } catch (err) {
        log.write(`ecom: could not start container ${name}: ${describeStartFailure(spec, err)}\n`);
        resolveExit({ code: 127, signal: null });
        return false;
      }
    })();
    // Once ended: renamed out of the way (the name is free for the next start), then removed.
    const renamed = exited.then(async () => {
      lap('exited');
      if (!container) return;
      await container.rename({ name: `${name}-ended-${process.pid}-${++generation}` }).catch(() => removeContainer(docker, name));
    });
    const removed = renamed.then(async () => {
      if (container) await removeContainer(docker, container.id);
      log.end();
      lap('removed');
    });
    freed.set(spec.name, renamed);
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
        // Resolves once the container ended: its rename and removal follow in the background (a start of the same
        // instance waits for the rename; `close` for the removal).
        stopping ??= (async () => {
          if (await started) {
            lap('stop sent');
            const request = timeoutMs <= 0 ? container!.kill() : container!.stop({ t: Math.max(1, Math.ceil(timeoutMs / 1000)) });
            await request.catch(() => undefined);
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
        // Every container ended (its network endpoint released with it): the network goes while they are removed.
        await Promise.all([...freed.values()]);
        await Promise.all([...live, onClose?.()]);
      })();
      return closing;
    },
  };
}
