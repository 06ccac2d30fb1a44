import type { Command } from 'commander';
import { stopCluster } from '../cluster/stop-cluster.js';
import { SUPERVISOR_TIMINGS } from '../config/defaults.js';
import { clusterFrom, withClusterFile } from './cluster-options.js';

/** `ecom down`: stop everything `up` started; works from pid files when the daemon is gone; a second run is a no-op. */
export function registerDownCommand(program: Command): void {
  withClusterFile(program.command('down'))
    .description('stop everything `ecom up` started (reverse order, SIGTERM then SIGKILL, whole process groups); safe to run twice')
    .option('--timeout <ms>', 'grace period before SIGKILL, per process', String(SUPERVISOR_TIMINGS.downTimeoutMs))
    .option('--json', 'print what was stopped as JSON')
    .action(async (opts: { config: string; timeout: string; json?: boolean }) => {
      const { cluster } = clusterFrom(opts);
      const say = (line: string): void => {
        if (!opts.json) process.stdout.write(`  ${line}\n`);
      };
      const stopped = await stopCluster(cluster.stateDir, {
        timeoutMs: Number(opts.timeout) || SUPERVISOR_TIMINGS.downTimeoutMs,
        onProgress: say,
      });
      if (opts.json) process.stdout.write(`${JSON.stringify({ stopped })}\n`);
      else process.stdout.write(stopped.length ? `stopped ${stopped.length} processes\n` : 'nothing was running\n');
    });
}
