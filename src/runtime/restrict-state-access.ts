import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Makes everything this process and its children create owner-only (umask 077: files 0600, directories 0700);
 * for the processes that write a state dir (the supervisor, the services, the registry, nginx, redis-server).
 */
export function restrictNewFiles(): void {
  process.umask(0o077);
}

/** Creates the state dir owner-only, or takes group and other access off an existing one and everything in it. */
export function tightenStateDir(stateDir: string): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const walk = (path: string): void => {
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (!stat || stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) chmodSync(path, stat.mode & 0o700);
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(stateDir);
}
