import type Docker from 'dockerode';
import type { InstanceSpec } from '../runtime.js';
import { dockerMessage } from './connect-docker.js';

/** Removes a container whatever its state; a container already gone is fine. */
export async function removeContainer(docker: Docker, name: string): Promise<void> {
  await docker
    .getContainer(name)
    .remove({ force: true, v: true })
    .catch(() => undefined);
}

/** An engine error as a line for the instance's log, naming the fix for the common ones. */
export function describeStartFailure(spec: InstanceSpec, err: unknown): string {
  const message = dockerMessage(err);
  if (/port is already allocated|address already in use/i.test(message)) return `port ${spec.port} is taken on 127.0.0.1: ${message}`;
  if (/no such image/i.test(message)) return `image missing (build it with \`ecom image build\`): ${message}`;
  return message;
}

/** A created container, attached to and waited on: starting it is one call. */
export interface PreparedContainer {
  container: Docker.Container;
  /** Its output (multiplexed), from before its first line. */
  output: NodeJS.ReadableStream;
  /** The engine's answer once it ended (after the engine released its network and port). */
  waited: Promise<{ StatusCode?: number }>;
}

/**
 * Creates the container (one of that name left over, from a run that did not end cleanly or a spare not taken, is
 * removed first, only then), attaches to its output and waits on its end.
 */
export async function prepareContainer(docker: Docker, options: Docker.ContainerCreateOptions): Promise<PreparedContainer> {
  let container: Docker.Container;
  try {
    container = await docker.createContainer(options);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 409) throw err;
    await removeContainer(docker, options.name!);
    container = await docker.createContainer(options);
  }
  try {
    const output = (await container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
    const waited = container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode?: number }>;
    return { container, output, waited };
  } catch (err) {
    await removeContainer(docker, container.id);
    throw err;
  }
}
