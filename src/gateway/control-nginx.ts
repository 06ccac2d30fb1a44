import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { NginxPaths } from '../config/state-layout.js';

/** Creates the prefix folders nginx writes into (temp paths, cache, logs). */
export function prepareNginxPrefix(paths: NginxPaths): void {
  for (const dir of ['temp/client_body', 'temp/proxy', 'temp/fastcgi', 'temp/uwsgi', 'temp/scgi', 'cache', 'logs']) {
    mkdirSync(join(paths.prefix, dir), { recursive: true });
  }
}

/** Runs `nginx -t` on a config file; resolves with nginx's complaint when it is invalid, undefined when valid. */
export async function validateNginxConfig(paths: NginxPaths, configFile: string): Promise<string | undefined> {
  const test = await execa('nginx', ['-t', '-q', '-p', paths.prefix, '-c', configFile], {
    timeout: 10_000,
    stdin: 'ignore',
    reject: false,
  });
  if (!test.failed) return undefined;
  if (test.code === 'ENOENT') return 'nginx is not installed (apt-get install -y nginx)';
  return (test.stderr || test.shortMessage || 'nginx -t failed').trim().split('\n').filter(Boolean).join(' | ');
}

/** The running nginx master's pid from its pid file, if that process is alive. */
export function runningNginxPid(paths: NginxPaths): number | undefined {
  try {
    const pid = Number(readFileSync(paths.pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Asks the nginx master to reload its configuration gracefully (SIGHUP); false when no nginx is running. */
export function reloadNginx(paths: NginxPaths): boolean {
  const pid = runningNginxPid(paths);
  if (pid === undefined) return false;
  process.kill(pid, 'SIGHUP');
  return true;
}
