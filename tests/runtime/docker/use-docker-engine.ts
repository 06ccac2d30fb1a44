import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { connectDocker } from '../../../src/runtime/docker/connect-docker.js';

const run = promisify(execFile);
const SCRIPTS = resolve(import.meta.dirname, '../../../scripts');

/** The pid of a dockerd already running here, if any (two engines on one host fight over iptables and docker0). */
function otherDockerd(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'dockerd') return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** The engine docker tests run against, or why there is none. */
export type TestEngine = { socket: string; stop(): Promise<void> } | { skip: string };

/**
 * `ECOM_TEST_DOCKER_HOST` (set by `.ci/run`, which started the engine) when given: it must answer, or the tests
 * fail. Otherwise a private dockerd is started here (scripts/start-test-dockerd.sh: own socket, data-root and the
 * 198.18 pools) and stopped by `stop()`; when it cannot start (no dockerd, not root, another dockerd already runs
 * here) the reason is returned, and the caller prints it and skips.
 */
export async function startTestEngine(): Promise<TestEngine> {
  const given = process.env.ECOM_TEST_DOCKER_HOST;
  if (given) {
    const socket = given.replace(/^unix:\/\//, '');
    await connectDocker(socket, 10_000);
    return { socket, stop: async () => undefined };
  }
  const other = otherDockerd();
  if (other) {
    return {
      skip: `another dockerd runs on this machine (pid ${other}); a second one would rewrite its iptables rules and bridge — set ECOM_TEST_DOCKER_HOST=unix://<its socket> to test against it`,
    };
  }
  const dir = mkdtempSync('/tmp/ecom-dk-');
  try {
    await run('bash', [resolve(SCRIPTS, 'start-test-dockerd.sh'), dir], { timeout: 30_000 });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as { stderr?: string; message: string };
    return { skip: `no Docker engine could be started here (${(e.stderr || e.message).trim().split('\n').slice(-2).join(' | ')})` };
  }
  return {
    socket: `${dir}/docker.sock`,
    stop: async () => {
      await run('bash', [resolve(SCRIPTS, 'stop-test-dockerd.sh'), dir], { timeout: 30_000 });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
