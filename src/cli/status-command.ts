import type { Command } from 'commander';
import { callControl, isDaemonRunning } from '../cluster/call-control.js';
import type { ClusterStatus } from '../cluster/project-status.js';
import { EcomError } from '../common/ecom-error.js';
import { clusterFrom, withClusterFile } from './cluster-options.js';
import { formatStatusTable, statusJson } from './format-status.js';

/** `ecom status [--json]`: every process with pid, port, health, restarts, uptime. */
export function registerStatusCommand(program: Command): void {
  withClusterFile(program.command('status'))
    .description('every process of the running cluster: service, id, pid, port, health, restarts, uptime')
    .option('--json', 'print {"processes": [...]} as JSON')
    .action(async (opts: { config: string; json?: boolean }) => {
      const { cluster, socket } = clusterFrom(opts);
      if (!(await isDaemonRunning(socket))) {
        throw new EcomError('not_running', `no cluster runs for ${cluster.stateDir}`, { hint: 'start one with `ecom up -d`' });
      }
      const status = await callControl<ClusterStatus>(socket, { cmd: 'status' });
      process.stdout.write(opts.json ? statusJson(status) : formatStatusTable(status));
    });
}
