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
