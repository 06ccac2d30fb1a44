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

/**
 * The docker runtime: each instance is a container (see container-options) created and started through the
 * engine's API, its output appended to its log file (demultiplexed), its end seen through the engine's wait. A start
 * the engine refuses surfaces as an exit with code 127, the reason written to the log file. `stop` sends the stop
 * signal with the grace period (0: killed at once), waits for the end and removes the container; `close` removes
 * whatever is left and, with `onClose`, the network.
 */
export function dockerRuntime(docker: Docker, ctx: ContainerContext, onClose?: () => Promise<void>): Runtime & { close(): Promise<void> } {
  /** Removal of each instance's previous container (its name is reused by the next start). */
  const removals = new Map<string, Promise<void>>();
  const live = new Set<Promise<void>>();
  let closing: Promise<void> | undefined;

  const start = (spec: InstanceSpec): InstanceHandle => {
    const name = containerNameOf(ctx.stateDir, spec.name);
    mkdirSync(dirname(spec.logFile), { recursive: true });
    const log = createWriteStream(spec.logFile, { flags: 'a' });
    let pid: number | undefined;
    let container: Docker.Container | undefined;
    let resolveExit: (exit: InstanceExit) => void = () => undefined;
    const exited = new Promise<InstanceExit>((resolve) => (resolveExit = resolve));
    const started = (async (): Promise<boolean> => {
      try {
        await removals.get(spec.name);
        await removeContainer(docker, name);
        container = await docker.createContainer(containerOptions(spec, ctx));
        const output = await container.attach({ stream: true, stdout: true, stderr: true });
        docker.modem.demuxStream(output, log, log);
        const waited = container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode?: number }>;
        await container.start();
        pid = ((await container.inspect()) as { State?: { Pid?: number } }).State?.Pid || undefined;
        void waited.then(
          (result) => resolveExit({ code: result.StatusCode ?? null, signal: null }),
          () => resolveExit({ code: null, signal: null }),
        );
        return true;
      } catch (err) {
        log.write(`ecom: could not start container ${name}: ${describeStartFailure(spec, err)}\n`);
        resolveExit({ code: 127, signal: null });
        return false;
      }
    })();
    const removed = exited.then(async () => {
      await removeContainer(docker, name);
      log.end();
    });
    removals.set(spec.name, removed);
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
            const request = timeoutMs <= 0 ? container!.kill() : container!.stop({ t: Math.max(1, Math.ceil(timeoutMs / 1000)) });
            await request.catch(() => undefined);
          }
          await exited;
          await removed;
        })();
        return stopping;
      },
    };
  };

  return {
    start,
    listenHost: '0.0.0.0',
    close() {
      closing ??= (async () => {
        await Promise.all([...live]);
        await onClose?.();
      })();
      return closing;
    },
  };
}
