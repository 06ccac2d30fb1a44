import { spawn } from 'node:child_process';
import { closeSync, createWriteStream, mkdirSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { callControl, isDaemonRunning } from '../cluster/call-control.js';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { checkPreflight } from '../cluster/check-preflight.js';
import { CLI_ENTRY } from '../cluster/process-specs.js';
import { readLogTail } from '../cluster/read-log-tail.js';
import { logFileOf, statePaths } from '../config/state-paths.js';
import type { ClusterStatus } from '../cluster/supervise-cluster.js';
import { EcomError } from '../common/ecom-error.js';
import { createLogger } from '../kit/create-logger.js';
import { clusterFrom, withClusterFile } from './cluster-options.js';
import { formatUpSummary } from './format-summary.js';
import { processName } from './format-status.js';
import { runUntilSignal } from './run-until-signal.js';

/** Refuses to start when the preflight finds problems, listing each with its fix. */
export async function assertPreflight(cluster: ClusterConfig): Promise<void> {
  const failed = (await checkPreflight(cluster)).filter((c) => !c.ok);
  if (failed.length === 0) return;
  throw new EcomError('preflight_failed', `cannot start: ${failed.map((c) => c.detail).join('; ')}`, {
    hint: failed.map((c) => c.fix).filter(Boolean).join('; '),
  });
}

/** The supervisor's own log lines go to a file, so they never garble the terminal. */
export function supervisorLogger(cluster: ClusterConfig): ReturnType<typeof createLogger> {
  const paths = statePaths(cluster.stateDir);
  mkdirSync(paths.logs, { recursive: true });
  return createLogger({ service: 'ecom', instance: 'supervisor', level: 'info', out: createWriteStream(logFileOf(paths, 'supervisor'), { flags: 'a' }) });
}

async function startDetached(cluster: ClusterConfig, configFlag: string, json: boolean): Promise<void> {
  const paths = statePaths(cluster.stateDir);
  mkdirSync(paths.logs, { recursive: true });
  const logFile = logFileOf(paths, 'daemon');
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, [CLI_ENTRY, 'daemon', '-c', cluster.configPath], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, ECOM_STATE_DIR: cluster.stateDir },
  });
  closeSync(out);
  let exited = false;
  child.once('exit', () => (exited = true));
  child.unref();
  const announced = new Set<string>();
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) {
      const tail = readLogTail(logFile, 4).join(' | ');
      throw new EcomError('start_failed', `the daemon stopped while starting${tail ? `: ${tail}` : ''}`, { hint: `see ${logFile}` });
    }
    if (Date.now() > deadline) throw new EcomError('start_failed', 'the cluster did not come up within 120 s', { hint: `see ${logFile}` });
    const status = await callControl<ClusterStatus>(paths.socket, { cmd: 'status' }, undefined, 3000).catch(() => undefined);
    if (status) {
      for (const p of status.processes) {
        const name = processName(p);
        if (p.health === 'healthy' && !announced.has(name) && !json) {
          announced.add(name);
          process.stdout.write(`  ✓ ${name.padEnd(12)} pid ${String(p.pid).padEnd(8)} port ${p.port ?? '-'}\n`);
        }
      }
      if (status.phase === 'running') {
        process.stdout.write(json ? `${JSON.stringify(status)}\n` : `\n${formatUpSummary(status, configFlag)}`);
        return;
      }
      if (status.phase === 'failed') {
        await sleep(200);
        continue;
      }
    }
    await sleep(50);
  }
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
    view = render(createElement(ClusterStatusView, { read: () => supervisor.status(), progress }), { exitOnCtrlC: false, patchConsole: false });
  } else {
    let last = '';
    supervisor.on('change', () => {
      const line = supervisor
        .status()
        .processes.map((p) => `${processName(p)}=${p.health}${p.restarts ? `(${p.restarts})` : ''}`)
        .join(' ');
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
    .action(async (opts: { config: string; detach?: boolean; json?: boolean }) => {
      const { cluster, socket } = clusterFrom(opts);
      if (await isDaemonRunning(socket)) {
        throw new EcomError('already_running', `a cluster already runs for ${cluster.stateDir}`, { hint: 'see `ecom status`, or stop it with `ecom down`' });
      }
      await assertPreflight(cluster);
      if (opts.detach) await startDetached(cluster, opts.config, opts.json === true);
      else await startForeground(cluster, opts.config);
      process.exit(0);
    });
}

/** `ecom daemon`: what `up -d` runs in the background (not for direct use). */
export function registerDaemonCommand(program: Command): void {
  withClusterFile(program.command('daemon', { hidden: true }))
    .description('run the supervisor daemon (started by `ecom up -d`)')
    .action(async (opts: { config: string }) => {
      const { cluster } = clusterFrom(opts);
      const { runCluster } = await import('../cluster/run-cluster.js');
      const running = await runCluster(cluster, {
        log: supervisorLogger(cluster),
        onProgress: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
      });
      process.stdout.write(`${new Date().toISOString()} cluster running (daemon pid ${process.pid})\n`);
      await Promise.race([runUntilSignal(() => running.close()), running.stopped]);
      process.stdout.write(`${new Date().toISOString()} cluster stopped\n`);
      process.exit(0);
    });
}
