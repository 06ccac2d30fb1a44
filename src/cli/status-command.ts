import type { Command } from 'commander';
import { callControl, isDaemonRunning } from '../cluster/call-control.js';
import type { ClusterStatus } from '../cluster/supervise-cluster.js';
import { EcomError } from '../common/ecom-error.js';
import { clusterFrom, withClusterFile } from './cluster-options.js';
import { formatStatusTable } from './format-status.js';

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
      if (opts.json) {
        const processes = status.processes.map(({ service, id, pid, port, health, restarts, uptimeMs, state, lastExit, lastLines }) => ({
          service,
          id,
          pid,
          port,
          health,
          restarts,
          uptimeMs,
          state,
          ...(lastExit ? { lastExit } : {}),
          ...(lastLines ? { lastLines } : {}),
        }));
        process.stdout.write(`${JSON.stringify({ phase: status.phase, gateway: status.gateway, processes, proxySync: status.proxySync })}\n`);
      } else {
        process.stdout.write(formatStatusTable(status));
      }
    });
}
