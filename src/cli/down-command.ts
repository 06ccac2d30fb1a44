import type { Command } from 'commander';
import { callControl, isDaemonRunning } from '../cluster/call-control.js';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { statePaths } from '../config/state-paths.js';
import { stopFromPidFiles } from '../runtime/stop-from-pid-files.js';
import { systemSignals } from '../runtime/stop-process-group.js';

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}
import { clusterFrom, withClusterFile } from './cluster-options.js';

/** `ecom down`: stop everything `up` started; works from pid files when the daemon is gone; a second run is a no-op. */
export function registerDownCommand(program: Command): void {
  withClusterFile(program.command('down'))
    .description('stop everything `ecom up` started (reverse order, SIGTERM then SIGKILL, whole process groups); safe to run twice')
    .option('--timeout <ms>', 'grace period before SIGKILL, per process', '10000')
    .option('--json', 'print what was stopped as JSON')
    .action(async (opts: { config: string; timeout: string; json?: boolean }) => {
      const { cluster, socket } = clusterFrom(opts);
      const say = (line: string): void => {
        if (!opts.json) process.stdout.write(`  ${line}\n`);
      };
      let stopped: string[] = [];
      if (await isDaemonRunning(socket)) {
        const daemonPid = readPid(statePaths(cluster.stateDir).daemonPid);
        const result = await callControl<{ stopped: string[] }>(socket, { cmd: 'down' }, say);
        stopped = result.stopped;
        // The daemon exits right after answering; give it a moment before sweeping pid files.
        for (let i = 0; i < 100 && daemonPid !== undefined && systemSignals.isAlive(daemonPid); i++) await sleep(20);
      }
      // Whatever a dead daemon (or a crashed `up`) left behind, by pid file.
      const leftovers = await stopFromPidFiles(cluster.stateDir, { timeoutMs: Number(opts.timeout) || 10_000, onProgress: say });
      stopped.push(...leftovers.filter((n) => n !== 'daemon'));
      if (opts.json) process.stdout.write(`${JSON.stringify({ stopped })}\n`);
      else process.stdout.write(stopped.length ? `stopped ${stopped.length} processes\n` : 'nothing was running\n');
    });
}
