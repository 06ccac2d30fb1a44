import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** The built CLI every process test runs (`npm test` builds first). */
export const ECOM_BIN = resolve(import.meta.dirname, '../../dist/cli/main.js');

/** What one run of the CLI left behind. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `ecom ARGS...` with piped (non-TTY) stdout and stderr, asynchronously so that servers of the test
 * process itself keep answering; kills it after `timeoutMs`. Never throws for an exit code: tests assert on it.
 */
export function runEcom(args: string[], options: { timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ECOM_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
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

/** Runs `ecom ARGS...` and throws (with its stderr) unless it exits 0. */
export async function ecom(...args: string[]): Promise<CliResult> {
  const result = await runEcom(args);
  if (result.code !== 0) throw new Error(`ecom ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result;
}
