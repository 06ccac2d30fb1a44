import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive as alive } from '../../src/runtime/is-process-alive.js';
import { ecom, runEcom } from '../helpers/run-ecom-cli.js';
import { writeClusterFile, type TestClusterFile } from '../helpers/write-cluster-file.js';

describe('two ecom up -d at once on one cluster file (the built binary)', () => {
  let c: TestClusterFile;
  beforeAll(async () => {
    c = await writeClusterFile({ product: 1, user: 1, logger: 1, order: 1 });
  });
  afterAll(async () => {
    await ecom('down', '-c', c.file).catch(() => undefined);
    rmSync(c.dir, { recursive: true, force: true });
  });

  it('starts exactly one cluster; the other exits 1 with already_running; ecom down stops everything', async () => {
    const results = await Promise.all([runEcom(['up', '-d', '-c', c.file]), runEcom(['up', '-d', '-c', c.file])]);
    const codes = results.map((r) => r.code).sort();
    expect(codes, results.map((r) => r.stderr).join('\n')).toEqual([0, 1]);
    const loser = results.find((r) => r.code === 1)!;
    // already_running: its message and its fixed hint, on one line.
    expect(loser.stderr).toMatch(/^ecom: a cluster already runs .*— see `ecom status`, or stop it with `ecom down`\n$/);

    const status = JSON.parse((await ecom('status', '--json', '-c', c.file)).stdout) as { processes: Array<{ pid: number; health: string }> };
    expect(status.processes).toHaveLength(7);
    for (const p of status.processes) expect(p.health).toBe('healthy');
    // A third one, once the cluster runs, is refused too.
    const third = await runEcom(['up', '-d', '-c', c.file]);
    expect(third.code).toBe(1);
    expect(third.stderr).toContain('a cluster already runs');

    const down = await ecom('down', '-c', c.file);
    expect(down.stdout).toMatch(/stopped 7 processes/);
    for (const p of status.processes) expect(alive(p.pid), `pid ${p.pid}`).toBe(false);
    expect(readdirSync(join(c.stateDir, 'pids'))).toEqual([]);
    expect(existsSync(join(c.stateDir, 'up.lock'))).toBe(false);
    expect(existsSync(join(c.stateDir, 'ecom.sock'))).toBe(false);
  });
});
