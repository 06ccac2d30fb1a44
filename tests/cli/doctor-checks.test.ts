import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ECOM_BIN } from '../helpers/start-test-cluster.js';
import { writeClusterFile, type TestClusterFile } from '../helpers/write-cluster-file.js';

const run = promisify(execFile);

describe('ecom doctor (the built binary)', () => {
  let cluster: TestClusterFile | undefined;
  let holder: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (holder ? holder.close(() => resolve()) : resolve()));
    if (cluster) rmSync(cluster.dir, { recursive: true, force: true });
    holder = undefined;
    cluster = undefined;
  });

  it('names the process holding a taken port (through ss), fails that check, and exits 1 with one line', async () => {
    cluster = await writeClusterFile();
    const server = createServer();
    holder = server;
    await new Promise<void>((resolve) => server.listen(cluster!.gatewayPort, '127.0.0.1', () => resolve()));
    const res = await run(process.execPath, [ECOM_BIN, 'doctor', '--json', '-c', cluster.file]).then(
      (ok) => ({ code: 0, ...ok }),
      (err: { code: number; stdout: string; stderr: string }) => err,
    );
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout) as { clusterRunning: boolean; checks: Array<{ name: string; ok: boolean; detail: string }> };
    expect(report.clusterRunning).toBe(false);
    const gateway = report.checks.find((c) => c.name === `port ${cluster!.gatewayPort}`);
    expect(gateway?.ok).toBe(false);
    // ss names this test process by its title ("node (vitest 1)"), so only the start of the name is certain.
    expect(gateway?.detail).toMatch(new RegExp(`^port ${cluster.gatewayPort} \\(gateway \\(nginx\\)\\) is taken by node.* \\(pid ${process.pid}\\)$`));
    const failed = report.checks.filter((c) => !c.ok).length;
    expect(res.stderr).toBe(`ecom: ${failed} check${failed === 1 ? '' : 's'} failed\n`);
  });
});
