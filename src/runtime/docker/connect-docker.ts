import type Docker from 'dockerode';
import { EcomError } from '../../common/ecom-error.js';

/** The engine's socket path: the cluster file's `docker.socket`, else `DOCKER_HOST` (unix:// only), else the default. */
export function dockerSocketPath(socket?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = socket ?? env.DOCKER_HOST ?? '/var/run/docker.sock';
  return chosen.replace(/^unix:\/\//, '');
}

/**
 * A dockerode client on that socket (no request is sent yet). dockerode is loaded here, on first use: it brings
 * gRPC, protobuf and ssh2 along (about 0.2 s of start-up), which a command that finds its images without it skips.
 */
export async function dockerClient(socket?: string): Promise<Docker> {
  const { default: DockerClient } = await import('dockerode');
  return new DockerClient({ socketPath: dockerSocketPath(socket) });
}

/** The engine's error for a failed request, as a message (dockerode puts the engine's JSON answer in `json`). */
export function dockerMessage(err: unknown): string {
  const e = err as { json?: { message?: string }; message?: string; reason?: string };
  return (e.json?.message ?? e.message ?? String(err)).trim();
}

/**
 * Connects to the engine and checks it answers, within `timeoutMs`: a missing socket or a dead engine is
 * `docker_unreachable`, a socket this user may not open is `docker_permission_denied`; both name what to do.
 */
export async function connectDocker(socket?: string, timeoutMs = 3000): Promise<{ docker: Docker; socketPath: string; version: string }> {
  const socketPath = dockerSocketPath(socket);
  const docker = await dockerClient(socket);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const version = (await Promise.race([docker.version(), timeout])) as { Version?: string };
    return { docker, socketPath, version: version.Version ?? 'unknown' };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new EcomError('docker_permission_denied', `no permission to use the Docker engine at ${socketPath}`, {
        cause: err,
        hint: `add your user to the docker group (sudo usermod -aG docker $USER, then log in again), or set docker.socket to a socket you may use`,
      });
    }
    throw new EcomError('docker_unreachable', `no Docker engine answers at ${socketPath}`, {
      cause: err,
      hint: `start one (sudo systemctl start docker, or: dockerd --host unix://${socketPath}), or set docker.socket / DOCKER_HOST to where it listens`,
    });
  } finally {
    clearTimeout(timer);
  }
}
