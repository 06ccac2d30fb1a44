import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EcomError } from '../common/ecom-error.js';
import { runningNginxPid } from './control-nginx.js';
import type { NginxPaths } from '../config/nginx-paths.js';

/** A running nginx master (foreground, own process group). */
export interface NginxHandle {
  pid: number;
  /** Graceful stop (SIGQUIT), SIGKILL to the whole group after `graceMs`; idempotent. */
  close(graceMs?: number): Promise<void>;
}

/** Starts nginx on an already written config under its own prefix; resolves once the master wrote its pid file. */
export async function startNginx(paths: NginxPaths): Promise<NginxHandle> {
  const out = openSync(join(paths.prefix, 'nginx.out.log'), 'a');
  const child = spawn('nginx', ['-p', paths.prefix, '-c', paths.config], { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const deadline = Date.now() + 10_000;
  while (runningNginxPid(paths) !== child.pid) {
    const failed = await Promise.race([spawnError, exited.then((code) => new Error(`nginx exited with ${code}`)), sleep(25)]);
    if (failed instanceof Error || Date.now() > deadline) {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
      throw new EcomError('nginx_start_failed', `nginx did not start: ${failed instanceof Error ? failed.message : 'timed out'}`, {
        hint: `see ${paths.errorLog}`,
      });
    }
  }
  const pid = child.pid!;
  let closing: Promise<void> | undefined;
  return {
    pid,
    close(graceMs = 5000) {
      closing ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        process.kill(pid, 'SIGQUIT');
        const timer = setTimeout(() => {
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }, graceMs);
        await exited;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}
