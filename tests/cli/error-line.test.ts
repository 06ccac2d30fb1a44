import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePorts } from '../helpers/free-port.js';
import { ECOM_BIN } from '../helpers/start-test-cluster.js';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from `signal` (or from the start) to the exit. */
  ms: number;
}

/** Runs the built CLI with stdout and stderr piped; sends `signal` once stdout matches `readyLine`. */
function ecom(args: string[], options: { env?: NodeJS.ProcessEnv; readyLine?: RegExp; signal?: NodeJS.Signals } = {}): Promise<Run> {
  const env = { ...process.env, ...options.env };
  for (const key of ['FORCE_COLOR', 'NO_COLOR'] as const) if (options.env?.[key] === undefined) delete env[key];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ECOM_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let from = Date.now();
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.readyLine?.test(stdout) && options.signal && from !== 0 && !child.killed) {
        from = Date.now();
        child.kill(options.signal);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - from });
    });
  });
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A cluster file whose redis and registry ports are free (nothing runs there). */
async function clusterFile(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ecom-errline-'));
  dirs.push(dir);
  const [iscs, redis] = await freePorts(2);
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ stateDir: 'state', iscs: { port: iscs }, redis: { port: redis } }));
  return file;
}

const RED = '\u001b[31m';

describe('the error line and exit status of the built CLI', () => {
  it("prints one plain line with the hint from the list, and exits with the code's status", async () => {
    const res = await ecom(['status', '-c', '/nonexistent/ecom.json']);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe('ecom: /nonexistent/ecom.json: no such file — pass -c with an existing cluster file\n');
  });

  it('exits 2 for a usage error raised while parsing flags', async () => {
    const res = await ecom(['overload', '--concurrency', '0', '--target', 'http://127.0.0.1:9/']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('ecom: --concurrency: expected an integer from 1 to 10000, got "0"\n');
  });

  it('paints the line red with FORCE_COLOR, and leaves it plain with NO_COLOR', async () => {
    const forced = await ecom(['service', 'start', 'nope', '--id', '1', '--port', '0'], { env: { FORCE_COLOR: '1' } });
    expect(forced.code).toBe(2);
    expect(forced.stderr.startsWith(`${RED}ecom: unknown service "nope"`)).toBe(true);
    const off = await ecom(['service', 'start', 'nope', '--id', '1', '--port', '0'], { env: { NO_COLOR: '1' } });
    expect(off.code).toBe(2);
    expect(off.stderr).toBe('ecom: unknown service "nope": expected one of logger, user, product, order\n');
  });
});

describe('foreground commands end without process.exit', () => {
  it('ecom iscs exits 0 soon after SIGTERM', async () => {
    const res = await ecom(['iscs', '--port', '0', '-c', await clusterFile()], { readyLine: /iscs ready on/, signal: 'SIGTERM' });
    expect(res.signal).toBeNull();
    expect(res.code).toBe(0);
    expect(res.ms).toBeLessThan(3000);
  });

  it('ecom service start exits 0 soon after SIGTERM, even with redis down', async () => {
    const args = ['service', 'start', 'product', '--id', '1', '--port', '0', '--iscs', 'none', '-c', await clusterFile()];
    const res = await ecom(args, { readyLine: /product-1 ready on/, signal: 'SIGTERM' });
    expect(res.signal).toBeNull();
    expect(res.code).toBe(0);
    expect(res.ms).toBeLessThan(1800);
  });
});
