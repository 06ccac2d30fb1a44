import { spawn } from 'node:child_process';
import { ECOM_BIN } from './start-test-cluster.js';

/** What one `ecom overload` run left behind. */
export interface OverloadCliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `ecom overload ARGS...` with piped (non-TTY) stdout and stderr, asynchronously so that a target
 * served by the test process itself keeps answering. Kills the run after `timeoutMs`.
 */
export function runOverloadCli(args: string[], timeoutMs = 60_000): Promise<OverloadCliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ECOM_BIN, 'overload', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
