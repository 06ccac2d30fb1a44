import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { readBuildInfo } from '../../common/describe-build.js';
import { EcomError } from '../../common/ecom-error.js';
import type { ClusterConfig } from '../../config/cluster-schema.js';
import { connectDocker } from './connect-docker.js';
import { clusterIdOf } from './docker-names.js';
import { renderStack } from './render-stack.js';

/** One task of the stack: which instance, on which node, in which state. */
export interface StackTask {
  service: string;
  node: string;
  state: string;
}

/** The cluster's stack name on the swarm. */
export function stackNameOf(stateDir: string): string {
  return `ecom-${clusterIdOf(stateDir)}`;
}

async function swarmManager(cluster: ClusterConfig): Promise<{ docker: Docker; socketPath: string }> {
  const { docker, socketPath } = await connectDocker(cluster.docker.socket);
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
  if (info.Swarm?.LocalNodeState !== 'active' || !info.Swarm.ControlAvailable) {
    throw new EcomError('swarm_inactive', `the Docker engine at ${socketPath} is not a swarm manager`);
  }
  return { docker, socketPath };
}

/** Every task of the stack with its node's hostname, newest state first per service. */
export async function stackTasks(cluster: ClusterConfig): Promise<StackTask[]> {
  const { docker } = await swarmManager(cluster);
  const stack = stackNameOf(cluster.stateDir);
  const [tasks, nodes] = await Promise.all([docker.listTasks({ filters: { label: [`com.docker.stack.namespace=${stack}`] } }), docker.listNodes()]);
  // Hostnames may repeat (two engines on one machine): the node's address tells them apart.
  const hostOf = new Map(nodes.map((n) => [n.ID, `${n.Description?.Hostname ?? n.ID}@${(n.Status as { Addr?: string } | undefined)?.Addr ?? '?'}`]));
  const prefix = `${stack}_`;
  return (tasks as Array<{ ServiceID?: string; NodeID?: string; Status?: { State?: string }; Spec?: { ContainerSpec?: { Hostname?: string } } }>)
    .map((t) => ({
      service: t.Spec?.ContainerSpec?.Hostname ?? prefix,
      node: hostOf.get(t.NodeID ?? '') ?? '-',
      state: t.Status?.State ?? 'unknown',
    }))
    .sort((a, b) => a.service.localeCompare(b.service) || a.node.localeCompare(b.node));
}

/**
 * `ecom deploy swarm`: the cluster as a stack on the swarm this engine manages (`swarm_inactive` otherwise). Renders
 * the stack file into the state dir, runs `docker stack deploy --resolve-image never` (images are local: load them
 * on every node), and waits until the gateway on 127.0.0.1:<gateway.port> answers a product listing.
 */
export async function deploySwarm(cluster: ClusterConfig, options: { onProgress?: (line: string) => void; timeoutMs?: number } = {}): Promise<string> {
  const started = performance.now();
  const lap = (step: string): void => {
    if (process.env.ECOM_DOCKER_TIMINGS === '1') options.onProgress?.(`swarm: ${step} at +${Math.round(performance.now() - started)} ms`);
  };
  const { socketPath } = await swarmManager(cluster);
  mkdirSync(cluster.stateDir, { recursive: true });
  const file = join(cluster.stateDir, 'swarm-stack.yml');
  writeFileSync(file, renderStack(cluster, { version: readBuildInfo().version }));
  const stack = stackNameOf(cluster.stateDir);
  options.onProgress?.(`deploying stack ${stack} (${file})`);
  const deployed = await execa('docker', ['--host', `unix://${socketPath}`, 'stack', 'deploy', '--resolve-image', 'never', '--prune', '-c', file, stack], {
    reject: false,
    all: true,
  });
  if (deployed.exitCode !== 0) throw new EcomError('docker_failed', `docker stack deploy failed: ${String(deployed.all ?? '').trim()}`);
  lap('stack deployed');
  const url = `http://127.0.0.1:${cluster.gateway.port}/api/products?limit=1`;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) {
      lap('gateway answered');
      return stack;
    }
    if (Date.now() > deadline)
      throw new EcomError('start_failed', `stack ${stack} deployed, but ${url} did not answer 200 in time`, { hint: 'see `ecom deploy status`' });
    await sleep(50);
  }
}

/**
 * `ecom undeploy`: removes the stack and waits until its containers and networks are gone. `docker stack rm` removes
 * the services, then the networks, which the engine refuses while their tasks are still stopping ("in use by task");
 * so it runs again, once a second, until nothing of the stack is left, and fails (`docker_failed`) only if something
 * still is after `timeoutMs`. False when there was nothing to remove.
 */
export async function undeploySwarm(cluster: ClusterConfig, timeoutMs = 60_000): Promise<boolean> {
  const { docker, socketPath } = await swarmManager(cluster);
  const stack = stackNameOf(cluster.stateDir);
  const removeStack = async (): Promise<{ ok: boolean; output: string }> => {
    const run = await execa('docker', ['--host', `unix://${socketPath}`, 'stack', 'rm', stack], { reject: false, all: true });
    if (run.exitCode === undefined) throw new EcomError('docker_failed', `could not run docker stack rm: ${run.message}`, { cause: run });
    return { ok: run.exitCode === 0, output: String(run.all ?? '').trim() };
  };
  const first = await removeStack();
  let last = first;
  let lastTry = Date.now();
  const label = `com.docker.stack.namespace=${stack}`;
  const deadline = lastTry + timeoutMs;
  for (;;) {
    const [containers, networks] = await Promise.all([
      docker.listContainers({ all: true, filters: { label: [label] } }),
      docker.listNetworks({ filters: { label: [label] } }),
    ]);
    if (containers.length === 0 && networks.length === 0) break;
    if (Date.now() > deadline) {
      const left = `${containers.length} container(s) and ${networks.length} network(s) of stack ${stack} still there after ${timeoutMs / 1000} s`;
      throw new EcomError('docker_failed', last.ok ? left : `${left}; docker stack rm: ${last.output}`, { hint: 'run `ecom undeploy` again' });
    }
    if (!last.ok && Date.now() - lastTry >= 1000) {
      lastTry = Date.now();
      last = await removeStack();
    }
    await sleep(200);
  }
  rmSync(join(cluster.stateDir, 'swarm-stack.yml'), { force: true });
  return !/Nothing found in stack/i.test(first.output);
}
