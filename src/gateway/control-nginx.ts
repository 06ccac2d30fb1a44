import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readProcessStart } from '../common/read-process-start.js';
import type { NginxPaths } from '../config/state-layout.js';

/** Creates the prefix folders nginx writes into (temp paths, cache, logs). */
export function prepareNginxPrefix(paths: NginxPaths): void {
  for (const dir of ['temp/client_body', 'temp/proxy', 'temp/fastcgi', 'temp/uwsgi', 'temp/scgi', 'cache', 'logs']) {
    mkdirSync(join(paths.prefix, dir), { recursive: true });
  }
}

/** Runs `nginx -t` on a config file; resolves with nginx's complaint when it is invalid, undefined when valid. */
export async function validateNginxConfig(paths: NginxPaths, configFile: string): Promise<string | undefined> {
  // Loaded on first use: execa's module start-up is 20-45 ms of CPU, which the daemon paid before starting anything.
  const { execa } = await import('execa');
  const test = await execa('nginx', ['-t', '-q', '-p', paths.prefix, '-c', configFile], {
    timeout: 10_000,
    stdin: 'ignore',
    reject: false,
  });
  if (!test.failed) return undefined;
  if (test.code === 'ENOENT') return 'nginx is not installed (apt-get install -y nginx)';
  return (test.stderr || test.shortMessage || 'nginx -t failed').trim().split('\n').filter(Boolean).join(' | ');
}

/** Ticks per second of `/proc` start times (USER_HZ: 100 on every Linux ABI). */
const USER_HZ = 100;
/** How much later than its pid file's write a process may seem to start (clock and tick rounding). */
const START_SLACK_MS = 1000;

/** When a process started, in epoch ms (10 ms precision), from its start time and the system's uptime. */
function startedAtMs(pid: number): number | undefined {
  const ticks = readProcessStart(pid);
  if (ticks === undefined) return undefined;
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return Date.now() - (uptime - Number(ticks) / USER_HZ) * 1000;
}

/**
 * The running nginx master's pid from its pid file, if that process is alive and is this prefix's nginx: its command
 * line names nginx and the prefix, and it started before the pid file was written (a pid reused after nginx died
 * belongs to a process that started later).
 */
export function runningNginxPid(paths: NginxPaths): number | undefined {
  try {
    const pid = Number(readFileSync(paths.pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1) return undefined;
    process.kill(pid, 0);
    const started = startedAtMs(pid);
    if (started === undefined || started > statSync(paths.pidFile).mtimeMs + START_SLACK_MS) return undefined;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return cmdline.startsWith('nginx') && cmdline.includes(paths.prefix) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Asks this prefix's nginx master to reload its configuration gracefully (SIGHUP); false when none is running. */
export function reloadNginx(paths: NginxPaths): boolean {
  const pid = runningNginxPid(paths);
  if (pid === undefined) return false;
  process.kill(pid, 'SIGHUP');
  return true;
}
