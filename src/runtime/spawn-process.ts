import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ProcessSpec, SpawnProcess } from './process-spec.js';

/**
 * Spawns real processes for the supervisor: each leads its own process group (so stops reach its children),
 * appends stdout and stderr to its log file, and has a pid file (`<name>.pid` in `pidsDir`) while it lives.
 * A spawn failure (missing binary) surfaces as an immediate exit with code 127.
 */
export function spawnWithPidFile(pidsDir: string): SpawnProcess {
  mkdirSync(pidsDir, { recursive: true });
  return (spec: ProcessSpec) => {
    mkdirSync(dirname(spec.logFile), { recursive: true });
    const out = openSync(spec.logFile, 'a');
    const child = spawn(spec.command, spec.args, {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, ...spec.env },
    });
    closeSync(out);
    const pidFile = `${pidsDir}/${spec.name}.pid`;
    if (child.pid !== undefined) writeFileSync(pidFile, `${child.pid}\n`);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('error', () => resolve({ code: 127, signal: null }));
      child.once('exit', (code, signal) => {
        rmSync(pidFile, { force: true });
        resolve({ code, signal });
      });
    });
    return { pid: child.pid ?? -1, exited };
  };
}
