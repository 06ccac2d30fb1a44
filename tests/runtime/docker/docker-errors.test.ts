import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runEcom } from '../../helpers/run-ecom-cli.js';
import { writeClusterFile, type TestClusterFile } from '../../helpers/write-cluster-file.js';

/** A cluster file whose docker engine socket does not exist. */
async function withoutEngine(runtime: 'docker' | 'process'): Promise<TestClusterFile> {
  const cluster = await writeClusterFile();
  const file = JSON.parse(readFileSync(cluster.file, 'utf8'));
  writeFileSync(cluster.file, JSON.stringify({ ...file, runtime, docker: { socket: join(cluster.dir, 'no-engine.sock') } }));
  return cluster;
}

describe('docker runtime errors a user can act on (no engine needed)', () => {
  let cluster: TestClusterFile | undefined;
  afterEach(() => {
    if (cluster) rmSync(cluster.dir, { recursive: true, force: true });
    cluster = undefined;
  });

  it('up --runtime docker without an engine: exit 1, one line naming the socket and how to start an engine; nothing started', async () => {
    cluster = await withoutEngine('process');
    const up = await runEcom(['up', '-d', '--runtime', 'docker', '-c', cluster.file]);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(`no Docker engine answers at ${join(cluster.dir, 'no-engine.sock')}`);
    expect(up.stderr).toContain('start one');
    const status = await runEcom(['status', '-c', cluster.file]);
    expect(status.code).toBe(1);
  });

  it('doctor fails the engine check only for runtime: docker, with the fix', async () => {
    cluster = await withoutEngine('docker');
    const failing = await runEcom(['doctor', '--json', '-c', cluster.file]);
    expect(failing.code).toBe(1);
    const docker = (JSON.parse(failing.stdout) as { checks: Array<{ name: string; ok: boolean; fix?: string }> }).checks.find((c) => c.name === 'docker');
    expect(docker).toMatchObject({ ok: false });
    expect(docker?.fix).toContain('dockerd --host');
    rmSync(cluster.dir, { recursive: true, force: true });

    cluster = await withoutEngine('process');
    const passing = JSON.parse((await runEcom(['doctor', '--json', '-c', cluster.file])).stdout) as {
      checks: Array<{ name: string; ok: boolean; detail: string }>;
    };
    expect(passing.checks.find((c) => c.name === 'docker')).toMatchObject({ ok: true, detail: expect.stringContaining('only needed for runtime: docker') });
  });

  it('an unknown --runtime is bad usage (exit 2) naming the field', async () => {
    cluster = await withoutEngine('process');
    const up = await runEcom(['up', '-d', '--runtime', 'vm', '-c', cluster.file]);
    expect(up.code).toBe(2);
    expect(up.stderr).toContain('runtime');
  });
});
