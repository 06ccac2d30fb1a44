import type { Command } from 'commander';
import { writeRedisConfig } from '../cluster/process-specs.js';
import { ensureCredentials } from '../config/ensure-credentials.js';
import { clusterFrom, withClusterFile } from './cluster-options.js';

/** `ecom state-init` (hidden): what a stack's one-shot init container runs before redis-server and the rest start. */
export function registerStateInitCommand(program: Command): void {
  withClusterFile(program.command('state-init', { hidden: true }))
    .description("create the state dir's credentials and redis-server's password file (run by a stack's init container)")
    .action((opts: { config: string }) => {
      const { cluster } = clusterFrom(opts);
      ensureCredentials(cluster.stateDir);
      process.stdout.write(`state dir ready: ${cluster.stateDir} (redis config ${writeRedisConfig(cluster)})\n`);
    });
}

/** `ecom deploy swarm`, `ecom deploy status` and `ecom undeploy`: the cluster as a Docker Swarm stack. */
export function registerDeployCommands(program: Command): void {
  const deploy = program.command('deploy').description('run the cluster on a distributed engine (Docker Swarm)');
  withClusterFile(deploy.command('swarm'))
    .description('deploy the cluster as a swarm stack (engine: a swarm manager); the gateway on 127.0.0.1:<gateway.port> of the manager')
    .option('--json', 'print the tasks as JSON')
    .action(async (opts: { config: string; json?: boolean }) => {
      const { cluster } = clusterFrom(opts);
      const { clusterImages } = await import('../runtime/docker/prepare-docker-runtime.js');
      const { deploySwarm, stackTasks } = await import('../runtime/docker/deploy-swarm.js');
      const say = (line: string): void => void (opts.json || process.stdout.write(`  ${line}\n`));
      await clusterImages(cluster, { build: true, onProgress: say });
      // What the stack's init task does, done here first: no task starts before the credentials and redis-server's
      // password file exist (swarm ignores start order; a task that found them missing would wait out a restart delay).
      ensureCredentials(cluster.stateDir);
      writeRedisConfig(cluster);
      const stack = await deploySwarm(cluster, { onProgress: say });
      printTasks(await stackTasks(cluster), opts.json === true, `stack ${stack} serving on http://127.0.0.1:${cluster.gateway.port}`);
    });
  withClusterFile(deploy.command('status'))
    .description("the stack's tasks per node")
    .option('--json', 'print the tasks as JSON')
    .action(async (opts: { config: string; json?: boolean }) => {
      const { cluster } = clusterFrom(opts);
      const { stackTasks, stackNameOf } = await import('../runtime/docker/deploy-swarm.js');
      printTasks(await stackTasks(cluster), opts.json === true, `stack ${stackNameOf(cluster.stateDir)}`);
    });
  withClusterFile(program.command('undeploy'))
    .description('remove the swarm stack `ecom deploy swarm` made (its containers and network)')
    .action(async (opts: { config: string }) => {
      const { cluster } = clusterFrom(opts);
      const { undeploySwarm } = await import('../runtime/docker/deploy-swarm.js');
      process.stdout.write((await undeploySwarm(cluster)) ? 'stack removed\n' : 'nothing was deployed\n');
    });
}

function printTasks(tasks: Array<{ service: string; node: string; state: string }>, json: boolean, title: string): void {
  if (json) return void process.stdout.write(`${JSON.stringify({ tasks })}\n`);
  process.stdout.write(`${title}\n${'TASK'.padEnd(12)} ${'NODE'.padEnd(24)} STATE\n`);
  for (const t of tasks) process.stdout.write(`${t.service.padEnd(12)} ${t.node.padEnd(24)} ${t.state}\n`);
}
