import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive as alive } from '../../src/runtime/is-process-alive.js';
import { ecom, runEcom } from '../helpers/run-ecom-cli.js';
import { startGetLoop } from '../helpers/start-get-loop.js';
import { waitFor } from '../helpers/wait-for.js';
import { writeClusterFile, type TestClusterFile } from '../helpers/write-cluster-file.js';

interface Proc {
  service: string;
  id: number | null;
  pid: number;
  port: number;
  health: string;
  restarts: number;
}
const status = async (file: string): Promise<Proc[]> => JSON.parse((await ecom('status', '--json', '-c', file)).stdout).processes;

/** GETs the product list through the gateway until stopped (the shared load loop, with its one allowed retry). */
const hammer = (gw: string) => startGetLoop(`${gw}/api/products`, { headers: { authorization: 'Bearer x' } });

describe('supervising a live cluster (the built binary)', () => {
  let c: TestClusterFile;
  let gw: string;
  beforeAll(async () => {
    c = await writeClusterFile();
    gw = `http://127.0.0.1:${c.gatewayPort}`;
    await ecom('up', '-d', '-c', c.file);
  });
  afterAll(async () => {
    await ecom('down', '-c', c.file).catch(() => undefined);
    rmSync(c.dir, { recursive: true, force: true });
  });

  it('replaces a kill -9ed instance with a new pid and routes to it again', async () => {
    const before = (await status(c.file)).find((p) => p.service === 'product')!;
    process.kill(before.pid, 'SIGKILL');
    const after = await waitFor(
      'a replacement',
      async () => {
        const p = (await status(c.file)).find((x) => x.service === 'product' && x.id === before.id);
        return p && p.pid !== before.pid && p.health === 'healthy' ? p : undefined;
      },
      20_000,
    );
    expect(after.restarts).toBeGreaterThanOrEqual(1);
    expect(alive(after.pid)).toBe(true);
    await waitFor('traffic to the replacement', async () => {
      const res = await fetch(`${gw}/api/products`, { headers: { authorization: 'Bearer x' } });
      return res.headers.get('x-instance-id') === `product-${before.id}`;
    });
  });

  it('scales product to 3 and routes to all three', async () => {
    const out = await ecom('scale', 'product=3', '-c', c.file);
    expect(out.stdout).toContain('product now has 3 instances');
    const products = (await status(c.file)).filter((p) => p.service === 'product');
    expect(products).toHaveLength(3);
    const load = hammer(gw);
    await waitFor('three instances reached', () => load.seen.size >= 3, 15_000);
    const { failures, reasons } = await load.stop();
    expect(reasons).toEqual([]);
    expect(failures).toBe(0);
    expect([...load.seen.keys()].sort()).toEqual(products.map((p) => `product-${p.id}`).sort());
  });

  it('restarts product rolling with zero failed GETs and new instances', async () => {
    const before = (await status(c.file)).filter((p) => p.service === 'product').map((p) => p.id);
    const load = hammer(gw);
    await waitFor('traffic', () => load.seen.size > 0);
    const out = await ecom('restart', 'product', '--rolling', '--json', '-c', c.file);
    expect(JSON.parse(out.stdout).restarted).toHaveLength(3);
    const { failures, total, reasons } = await load.stop();
    expect(total).toBeGreaterThan(20);
    expect(reasons).toEqual([]);
    expect(failures).toBe(0);
    const after = (await status(c.file)).filter((p) => p.service === 'product');
    expect(after).toHaveLength(3);
    expect(after.every((p) => p.health === 'healthy')).toBe(true);
    expect(after.map((p) => p.id).filter((id) => before.includes(id))).toEqual([]);
  });

  it('shows logs from the logger service', async () => {
    // Only the logger's store has entries with an id and a service; the per-process log files the command falls
    // back to print `{process, line}` and say so on stderr.
    const json = await ecom('logs', 'product', '-n', '5', '--json', '-c', c.file);
    expect(json.stderr).toBe('');
    const entries = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id?: unknown; service?: unknown; instance?: unknown });
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.length).toBeLessThanOrEqual(5);
    for (const e of entries) expect(e).toMatchObject({ id: expect.any(Number), service: 'product', instance: expect.stringMatching(/^product-\d+$/) });
    const text = await ecom('logs', 'product', '-n', '5', '-c', c.file);
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(/^\S+ (debug|info |warn |error) product-\d+ /m);
  });

  it('goes down completely, even after its daemon was killed', async () => {
    const pids = (await status(c.file)).map((p) => p.pid);
    const daemon = Number.parseInt(readFileSync(join(c.stateDir, 'pids', 'daemon.pid'), 'utf8'), 10);
    process.kill(daemon, 'SIGKILL');
    await waitFor('daemon gone', () => !alive(daemon));
    expect(pids.filter(alive).length).toBe(pids.length);
    const down = await ecom('down', '-c', c.file);
    expect(down.stdout).toMatch(/stopped \d+ processes/);
    expect(pids.filter(alive)).toEqual([]);
    expect(readdirSync(join(c.stateDir, 'pids'))).toEqual([]);
    expect((await runEcom(['status', '-c', c.file])).code).toBe(1);
  });
});

describe('refusing to start', () => {
  it('names a taken port and starts nothing', async () => {
    const c = await writeClusterFile();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(c.servicePorts.product![1], '127.0.0.1', () => r()));
    try {
      const res = await runEcom(['up', '-d', '-c', c.file]);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`port ${c.servicePorts.product![1]}`);
      expect(res.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(() => readdirSync(join(c.stateDir, 'pids'))).toThrow();
      const status = await runEcom(['status', '-c', c.file]);
      expect(status.code).toBe(1);
      expect(status.stderr).toContain('no cluster runs');
      expect(status.stderr).not.toContain('    at ');
    } finally {
      await new Promise((r) => blocker.close(r));
      rmSync(c.dir, { recursive: true, force: true });
    }
  });

  it('rejects a bad cluster file with exit 2 naming the field, and doctor reports its checks', async () => {
    const c = await writeClusterFile();
    try {
      const cfg = JSON.parse(readFileSync(c.file, 'utf8'));
      writeFileSync(c.file, JSON.stringify({ ...cfg, gateway: { port: 'x' } }));
      const res = await runEcom(['up', '-d', '-c', c.file]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('gateway.port');
      writeFileSync(c.file, JSON.stringify(cfg));
      const doctor = JSON.parse((await ecom('doctor', '--json', '-c', c.file)).stdout);
      expect(doctor.checks.map((x: { name: string }) => x.name)).toEqual(
        expect.arrayContaining(['node', 'nginx', 'redis-server', 'state dir', `port ${c.gatewayPort}`]),
      );
      expect(doctor.checks.every((x: { ok: boolean }) => x.ok)).toBe(true);
    } finally {
      rmSync(c.dir, { recursive: true, force: true });
    }
  });
});
