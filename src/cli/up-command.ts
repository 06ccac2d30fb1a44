import { createWriteStream, mkdirSync } from 'node:fs';
import type { Command } from 'commander';
import { isDaemonRunning } from '../cluster/call-control.js';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { checkPreflight } from '../cluster/check-preflight.js';
import { startDaemon } from '../cluster/start-daemon.js';
import { stateLayout } from '../config/state-layout.js';
import { EcomError } from '../common/ecom-error.js';
import { createLogger } from '../kit/create-logger.js';
import { clusterFrom, withClusterFile } from './cluster-options.js';
import { formatUpSummary } from './format-summary.js';
import { formatHealthLine, formatReadyLine, processName } from './format-status.js';
import { runUntilSignal } from './run-until-signal.js';
import { lockStateDir } from '../runtime/lock-state-dir.js';
import { restrictNewFiles, tightenStateDir } from '../runtime/restrict-state-access.js';

/** Refuses to start when the preflight finds problems, listing each with its fix. */
export async function assertPreflight(cluster: ClusterConfig): Promise<void> {
  const failed = (await checkPreflight(cluster)).filter((c) => !c.ok);
  if (failed.length === 0) return;
  throw new EcomError('preflight_failed', `cannot start: ${failed.map((c) => c.detail).join('; ')}`, {
    hint: failed
      .map((c) => c.fix)
      .filter(Boolean)
      .join('; '),
  });
}

/** Docker runtime: builds the images the engine lacks before anything starts, showing progress (not with --json). */
async function buildMissingImages(cluster: ClusterConfig, quiet: boolean): Promise<void> {
  const { clusterImages } = await import('../runtime/docker/prepare-docker-runtime.js');
  await clusterImages(cluster, { build: true, onProgress: (line) => quiet || process.stdout.write(`  ${line}\n`) });
}

/** The supervisor's own log lines go to a file, so they never garble the terminal. */
export function supervisorLogger(cluster: ClusterConfig): ReturnType<typeof createLogger> {
  const layout = stateLayout(cluster.stateDir);
  mkdirSync(layout.logs, { recursive: true });
  return createLogger({
    service: 'ecom',
    instance: 'supervisor',
    level: 'info',
    out: createWriteStream(layout.supervisorLog, { flags: 'a' }),
  });
}

async function startDetached(cluster: ClusterConfig, configFlag: string, json: boolean): Promise<void> {
  const announced = new Set<string>();
  const status = await startDaemon(cluster, {
    onStatus: (current) => {
      for (const p of current.processes) {
        if (p.health !== 'healthy' || announced.has(processName(p)) || json) continue;
        announced.add(processName(p));
        process.stdout.write(formatReadyLine(p));
      }
    },
  });
  process.stdout.write(json ? `${JSON.stringify(status)}\n` : `\n${formatUpSummary(status, configFlag)}`);
}

async function startForeground(cluster: ClusterConfig, configFlag: string): Promise<void> {
  const { runCluster } = await import('../cluster/run-cluster.js');
  const tty = process.stdout.isTTY === true;
  const progress: string[] = [];
  const running = await runCluster(cluster, {
    log: supervisorLogger(cluster),
    onProgress: (line) => {
      progress.push(line);
      process.stdout.write(`  ${line}\n`);
    },
  });
  const { supervisor } = running;
  process.stdout.write(`\n${formatUpSummary(supervisor.status(), configFlag)}`);
  let view: { unmount(): void } | undefined;
  if (tty) {
    const [{ render }, { createElement }, { ClusterStatusView }] = await Promise.all([
      import('ink'),
      import('react'),
      import('./views/cluster-status-view.js'),
    ]);
    view = render(createElement(ClusterStatusView, { read: () => supervisor.status(), progress }), {
      exitOnCtrlC: false,
      patchConsole: false,
    });
  } else {
    let last = '';
    supervisor.on('change', () => {
      const line = formatHealthLine(supervisor.status());
      if (line !== last) process.stdout.write(`${new Date().toISOString()} ${line}\n`);
      last = line;
    });
  }
  await Promise.race([runUntilSignal(() => running.close()), running.stopped]);
  view?.unmount();
  process.stdout.write('cluster stopped\n');
}

/** `ecom up [-c FILE] [-d]`. */
export function registerUpCommand(program: Command): void {
  withClusterFile(program.command('up'))
    .description('start the cluster: redis-server, registry, services, nginx; foreground with live status, or -d to detach')
    .option('-d, --detach', 'run in the background under a daemon; use ecom status / logs / scale / down')
    .option('--json', 'with -d: print the final status as JSON')
    .option('--runtime <runtime>', "where instances run: process or docker (default: the cluster file's runtime)")
    .action(async (opts: { config: string; detach?: boolean; json?: boolean; runtime?: string }) => {
      // The daemon reads the cluster file again: the choice travels in its environment.
      if (opts.runtime !== undefined) process.env.ECOM_RUNTIME = opts.runtime;
      const { cluster, socket } = clusterFrom(opts);
      // Everything the cluster writes (SQLite files, logs, redis's append-only file, the socket) is owner-only.
      restrictNewFiles();
      tightenStateDir(cluster.stateDir);
      // One `up` per state dir: a second one, even started at the same moment, fails here (the daemon takes it on).
      const lock = lockStateDir(stateLayout(cluster.stateDir).upLock);
      try {
        if (await isDaemonRunning(socket)) {
          throw new EcomError('already_running', `a cluster already runs for ${cluster.stateDir}`);
        }
        await assertPreflight(cluster);
        if (cluster.runtime === 'docker') await buildMissingImages(cluster, opts.json === true);
        if (opts.detach) await startDetached(cluster, opts.config, opts.json === true);
        else await startForeground(cluster, opts.config);
      } finally {
        lock.release();
      }
    });
}

/** `ecom daemon`: what `up -d` runs in the background (not for direct use). */
export function registerDaemonCommand(program: Command): void {
  withClusterFile(program.command('daemon', { hidden: true }))
    .description('run the supervisor daemon (started by `ecom up -d`)')
    .action(async (opts: { config: string }) => {
      const { cluster } = clusterFrom(opts);
      restrictNewFiles();
      tightenStateDir(cluster.stateDir);
      const { runCluster } = await import('../cluster/run-cluster.js');
      const running = await runCluster(cluster, {
        log: supervisorLogger(cluster),
        onProgress: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
      });
      process.stdout.write(`${new Date().toISOString()} cluster running (daemon pid ${process.pid})\n`);
      await Promise.race([runUntilSignal(() => running.close()), running.stopped]);
      process.stdout.write(`${new Date().toISOString()} cluster stopped\n`);
    });
}
