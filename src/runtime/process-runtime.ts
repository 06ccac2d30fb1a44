import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { InstanceExit, InstanceHandle, InstanceSpec, Runtime } from './runtime.js';
import { stopProcessGroup, systemSignals, type ProcessSignals } from './stop-process-group.js';

/**
 * The process runtime: each instance is a local process leading its own process group (so stops reach its
 * children), with stdout and stderr appended to its log file and, with `pidsDir`, a pid file (`<name>.pid`) while
 * it lives. A spawn failure (missing binary) surfaces as an immediate exit with code 127.
 */
export function processRuntime(options: { pidsDir?: string; signals?: ProcessSignals } = {}): Runtime {
  const signals = options.signals ?? systemSignals;
  if (options.pidsDir) mkdirSync(options.pidsDir, { recursive: true });
  return {
    start(spec: InstanceSpec): InstanceHandle {
      mkdirSync(dirname(spec.logFile), { recursive: true });
      const out = openSync(spec.logFile, 'a');
      const child = spawn(spec.command, spec.args, { detached: true, stdio: ['ignore', out, out], env: { ...process.env, ...spec.env } });
      closeSync(out);
      const pidFile = options.pidsDir && child.pid !== undefined ? join(options.pidsDir, `${spec.name}.pid`) : undefined;
      if (pidFile) writeFileSync(pidFile, `${child.pid}\n`);
      const exited = new Promise<InstanceExit>((resolve) => {
        child.once('error', () => resolve({ code: 127, signal: null }));
        child.once('exit', (code, signal) => {
          if (pidFile) rmSync(pidFile, { force: true });
          resolve({ code, signal });
        });
      });
      let stopping: Promise<void> | undefined;
      return {
        name: spec.name,
        logFile: spec.logFile,
        address: spec.port === undefined ? undefined : { host: spec.host ?? '127.0.0.1', port: spec.port },
        pid: child.pid,
        exited,
        stop(timeoutMs = spec.stopTimeoutMs) {
          stopping ??= (async () => {
            if (child.pid !== undefined) await stopProcessGroup(child.pid, { signals, timeoutMs, signal: spec.stopSignal, exited });
            await exited;
          })();
          return stopping;
        },
      };
    },
  };
}
