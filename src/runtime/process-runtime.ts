import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { applyCpuWeight } from './apply-cpu-weight.js';
import { formatPidFile, identifyProcess } from './process-identity.js';
import { READY_FD_ENV, type InstanceExit, type InstanceHandle, type InstanceSpec, type Runtime } from './runtime.js';
import { stopProcessGroup, systemSignals, type ProcessSignals } from './stop-process-group.js';

/**
 * The process runtime: each instance is a local process leading its own process group (so stops reach its
 * children), with stdout and stderr appended to its log file, the spec's CPU weight (`applyCpuWeight`) and, with
 * `pidsDir`, a pid file (`<name>.pid`: pid and start time) while it lives. A spawn failure (missing binary) surfaces
 * as an immediate exit with code 127. Stops check the start time too, and never signal once the process has exited
 * (its pid may be someone else's by then).
 */
export function processRuntime(options: { pidsDir?: string; signals?: ProcessSignals } = {}): Runtime {
  const signals = options.signals ?? systemSignals;
  if (options.pidsDir) mkdirSync(options.pidsDir, { recursive: true });
  return {
    start(spec: InstanceSpec): InstanceHandle {
      mkdirSync(dirname(spec.logFile), { recursive: true });
      const out = openSync(spec.logFile, 'a');
      const notify = spec.notifiesReady === true;
      const child = spawn(spec.command, spec.args, {
        detached: true,
        // fd 3, when the program notifies readiness: a pipe it writes one line to once it serves.
        stdio: notify ? ['ignore', out, out, 'pipe'] : ['ignore', out, out],
        env: { ...process.env, ...spec.env, ...(notify ? { [READY_FD_ENV]: '3' } : {}) },
      });
      closeSync(out);
      const ready = notify ? readyLine(child.stdio[3] as Readable | null) : undefined;
      // Not reaped before this code yields to the event loop, so the child (even if it already died) is still there.
      const identity = child.pid === undefined ? undefined : identifyProcess(child.pid);
      const pidFile = options.pidsDir && identity ? join(options.pidsDir, `${spec.name}.pid`) : undefined;
      if (pidFile && identity) writeFileSync(pidFile, formatPidFile(identity));
      const warning = spec.cpuWeight === undefined || child.pid === undefined ? undefined : applyCpuWeight(child.pid, spec.cpuWeight);
      let ended = false;
      const exited = new Promise<InstanceExit>((resolve) => {
        child.once('error', () => {
          ended = true;
          resolve({ code: 127, signal: null });
        });
        child.once('exit', (code, signal) => {
          ended = true;
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
        ...(ready ? { ready } : {}),
        ...(warning ? { warning } : {}),
        stop(timeoutMs = spec.stopTimeoutMs) {
          stopping ??= (async () => {
            if (child.pid !== undefined && !ended) {
              await stopProcessGroup(child.pid, { signals, timeoutMs, signal: spec.stopSignal, exited, startTime: identity?.startTime });
            }
            await exited;
          })();
          return stopping;
        },
      };
    },
  };
}

/** Resolves at the first byte on the readiness pipe; the pipe is then closed. Pending if the process never writes. */
function readyLine(pipe: Readable | null): Promise<void> {
  return new Promise((resolve) => {
    if (!pipe) return;
    pipe.once('data', () => {
      resolve();
      pipe.destroy();
    });
    // Ends with the process (or a close without a line): nothing more will come.
    pipe.once('error', () => pipe.destroy());
  });
}
