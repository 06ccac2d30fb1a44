import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive as alive } from '../../src/runtime/is-process-alive.js';
import { ecom } from '../helpers/run-ecom-cli.js';
import { startGetLoop } from '../helpers/start-get-loop.js';
import { waitFor } from '../helpers/wait-for.js';
import { writeClusterFile, type TestClusterFile } from '../helpers/write-cluster-file.js';

interface Listed {
  id: number;
  meta?: { pid?: string };
}

/**
 * The finding of issue 10: a SIGSTOPped instance stayed in rotation for seconds, its GETs hung up to nginx's 30 s
 * read timeout, and it kept its pid for ~13 s (SIGTERM to a stopped process, then the whole grace period).
 */
describe('a hung instance (SIGSTOP) under a steady GET load (the built binary)', () => {
  let c: TestClusterFile;
  let frozen: number | undefined;
  beforeAll(async () => {
    c = await writeClusterFile({ product: 2, user: 1, logger: 1, order: 1 });
    // A long TTL, so that the registry's own eviction cannot be what takes the hung instance out.
    const file = JSON.parse(readFileSync(c.file, 'utf8'));
    writeFileSync(c.file, JSON.stringify({ ...file, iscs: { ...file.iscs, ttlMs: 10_000 } }));
    await ecom('up', '-d', '-c', c.file);
  });
  afterAll(async () => {
    if (frozen !== undefined && alive(frozen)) process.kill(frozen, 'SIGCONT');
    await ecom('down', '-c', c.file).catch(() => undefined);
    rmSync(c.dir, { recursive: true, force: true });
  });

  const listed = async (): Promise<Listed[]> =>
    ((await (await fetch(`http://127.0.0.1:${c.iscsPort}/v1/services`)).json()) as { services: Record<string, Listed[]> }).services.product ?? [];
  /** Whether nginx routes to `name`: in its peer table (Lua mode, the peers file pushed with it) or in nginx.conf. */
  const routed = (name: string): boolean => {
    const peers = join(c.stateDir, 'nginx', 'peers.json');
    if (!existsSync(peers)) return readFileSync(join(c.stateDir, 'nginx', 'nginx.conf'), 'utf8').includes(`# ${name}\n`);
    const table = JSON.parse(readFileSync(peers, 'utf8')) as { services: Record<string, Array<{ id: number }>> };
    return table.services.product!.some((p) => `product-${p.id}` === name);
  };
  /** When the supervisor logged the first failed health check of `name`. */
  const firstFailedCheck = (name: string): number | undefined => {
    const line = readFileSync(join(c.stateDir, 'logs', 'supervisor.log'), 'utf8')
      .split('\n')
      .find((l) => l.includes(`${name} failed a health check`));
    return line ? Date.parse(line.split(' ')[0]!) : undefined;
  };

  it('leaves the registry and nginx at once, no GET fails or waits long, and it is killed, replaced and routed again', async () => {
    const victim = (await listed()).at(-1)!;
    const name = `product-${victim.id}`;
    const oldPid = Number(victim.meta?.pid);
    expect(routed(name)).toBe(true);
    const load = startGetLoop(`http://127.0.0.1:${c.gatewayPort}/api/products`, { headers: { authorization: 'Bearer x' } });
    try {
      await waitFor('both instances serve', () => load.seen.size >= 2);
      const stoppedAt = Date.now();
      frozen = oldPid;
      process.kill(oldPid, 'SIGSTOP');
      const outOfRegistryAt = await waitFor(
        'out of the registry',
        async () => ((await listed()).some((i) => i.id === victim.id) ? undefined : Date.now()),
        6000,
        20,
      );
      const outOfNginxAt = await waitFor('out of nginx', () => (routed(name) ? undefined : Date.now()), 6000, 20);
      const failedAt = await waitFor('the first failed check in the log', () => firstFailedCheck(name));
      const killedAt = await waitFor('the hung process killed', () => (alive(oldPid) ? undefined : Date.now()), 15_000, 20);
      const replaced = await waitFor(
        'a new pid registered',
        async () => (await listed()).find((i) => i.id === victim.id && Number(i.meta?.pid) !== oldPid),
        15_000,
      );
      const replacedAt = Date.now();
      const seenBefore = load.seen.get(name) ?? 0;
      await waitFor('GETs answered by the replacement', () => routed(name) && (load.seen.get(name) ?? 0) > seenBefore + 5, 15_000);
      const { failures, reasons, slowestMs, total } = await load.stop();
      const timeline = { failedCheck: failedAt - stoppedAt, outOfRegistry: outOfRegistryAt - stoppedAt, outOfNginx: outOfNginxAt - stoppedAt };
      console.log(`hung ${name}:`, { ...timeline, killed: killedAt - stoppedAt, replaced: replacedAt - stoppedAt, slowestGetMs: slowestMs, total });
      expect(outOfRegistryAt - failedAt).toBeLessThanOrEqual(1500);
      expect(outOfNginxAt - failedAt).toBeLessThanOrEqual(1500);
      expect(killedAt - stoppedAt).toBeLessThanOrEqual(6000);
      // The replacement's own start (node, SQLite, Redis) takes seconds on a loaded machine: a generous bound.
      expect(replacedAt - stoppedAt).toBeLessThanOrEqual(15_000);
      expect(reasons).toEqual([]);
      expect(failures).toBe(0);
      expect(slowestMs).toBeLessThanOrEqual(6000);
      // It registers as soon as it listens; the supervisor calls it healthy at its next health check.
      const proc = await waitFor(
        'the replacement healthy in ecom status',
        async () => {
          const found = JSON.parse((await ecom('status', '--json', '-c', c.file)).stdout).processes.find(
            (p: { service: string; id: number }) => p.service === 'product' && p.id === victim.id,
          );
          return found?.health === 'healthy' ? found : undefined;
        },
        5000,
      );
      expect(proc).toMatchObject({ pid: Number(replaced.meta?.pid), health: 'healthy' });
      expect(proc.restarts).toBeGreaterThanOrEqual(1);
    } finally {
      await load.stop();
    }
  });
});
