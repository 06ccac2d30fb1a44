import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { execa } from 'execa';
import { waitFor } from '../helpers/wait-for.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive as alive } from '../../src/runtime/is-process-alive.js';
import { writeClusterFile, type TestClusterFile } from '../helpers/write-cluster-file.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BUILT = join(ROOT, 'dist', 'ecom');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** The one program the cluster may run besides ecom itself, found on the test's PATH (or where Debian puts it). */
function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin'];
  return dirs.map((dir) => join(dir, name)).find((file) => existsSync(file));
}

/** Why this machine cannot build the binary at all (then the test is skipped), or undefined when it can. */
function cannotBuild(): string | undefined {
  if (process.platform !== 'linux') return `single executables are built and tested on Linux only (this is ${process.platform})`;
  if (!findTool('nginx') || !findTool('redis-server')) return 'nginx or redis-server is not installed';
  if (!readFileSync(process.execPath).includes(FUSE)) return `${process.execPath} has no SEA fuse (not an official Node.js build)`;
  return undefined;
}
const skip = cannotBuild();

describe.skipIf(skip)(`dist/ecom, the single executable, alone on a machine with only nginx and redis-server${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let work: string;
  let bin: string;
  let cache: string;
  let cluster: TestClusterFile;
  let env: Record<string, string>;
  const ecom = (...args: string[]) =>
    execa(bin, [...args, ...(args[0] === '--version' ? [] : ['-c', cluster.file])], {
      env,
      extendEnv: false,
      cwd: cluster.dir,
      reject: false,
      timeout: 180_000,
    });

  beforeAll(async () => {
    // Builds once per test run: a binary newer than every source is kept.
    const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build-binary.mjs'), '--if-stale'], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
    if (build.status !== 0) throw new Error(`npm run build:binary failed:\n${build.stdout}${build.stderr}`);
    work = mkdtempSync(join(tmpdir(), 'ecom-binary-'));
    mkdirSync(join(work, 'bin'));
    bin = join(work, 'bin', 'ecom');
    copyFileSync(BUILT, bin);
    const tools = join(work, 'tools');
    mkdirSync(tools);
    for (const name of ['nginx', 'redis-server']) symlinkSync(findTool(name)!, join(tools, name));
    cache = join(work, 'cache');
    cluster = await writeClusterFile();
    // No node, no npm, no node_modules: PATH holds nginx and redis-server only.
    env = { PATH: tools, HOME: work, XDG_CACHE_HOME: cache };
  }, 660_000);

  afterAll(async () => {
    if (cluster) await ecom('down').catch(() => undefined);
    if (cluster) rmSync(cluster.dir, { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('prints its version, runs a cluster of itself (up -d, seed, overload), and stops it', async () => {
    expect(readdirSync(join(work, 'bin'))).toEqual(['ecom']);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const shown = await ecom('--version');
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^ecom ${version.replaceAll('.', '\\.')} \\(commit [0-9a-f]{7,}(-dirty)?, binary\\)$`));

    const up = await ecom('up', '-d');
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stdout).toContain(`gateway http://127.0.0.1:${cluster.gatewayPort}`);
    const seed = await ecom('seed', '--products', '20');
    expect(seed.exitCode, seed.stderr).toBe(0);
    const load = await ecom('overload', '--request_count', '200', '--threshold', 'errors<1%');
    expect(load.exitCode, load.stderr).toBe(0);
    expect(load.stdout).toContain('requests 200');
    // Worker threads start from the source embedded in the binary (there is no file of theirs on disk).
    const threaded = await ecom('overload', '--request_count', '300', '--concurrency', '8', '--workers', '2', '--json', '-');
    expect(threaded.exitCode, threaded.stderr).toBe(0);
    const report = JSON.parse(threaded.stdout) as { requests: number; ok: number; endpoints: Array<{ name: string; requests: number }> };
    expect(report.requests).toBe(300);
    expect(report.ok).toBe(300);
    expect(report.endpoints.map((e) => [e.name, e.requests])).toEqual([['product', 300]]);

    // Every process of the cluster: the daemon and each managed process, by its pid file.
    const pidDir = join(cluster.stateDir, 'pids');
    const pids = Object.fromEntries(readdirSync(pidDir).map((f) => [f.replace(/\.pid$/, ''), Number.parseInt(readFileSync(join(pidDir, f), 'utf8'), 10)]));
    expect(Object.keys(pids).sort()).toEqual(['daemon', 'iscs', 'logger-1', 'nginx', 'order-5', 'product-3', 'product-4', 'redis', 'user-2']);
    const own = { nginx: realpathSync(findTool('nginx')!), redis: realpathSync(findTool('redis-server')!) };
    const cached = readdirSync(join(cache, 'ecom'));
    const addon = cached.filter((dir) => !dir.startsWith('code-')).map((sha) => join(cache, 'ecom', sha, 'better_sqlite3.node'));
    expect(addon).toHaveLength(1);
    // Each role's V8 code cache, written once the role has run 3 s (or at exit): one bundle, one folder.
    const code = cached.filter((dir) => dir.startsWith('code-'));
    expect(code).toHaveLength(1);
    const roles = ['daemon.v8cache', 'iscs.v8cache', 'service-product.v8cache', 'service-order.v8cache', 'up.v8cache'];
    // The long-running roles write theirs 3 s after they started, which a fast start-up may not have reached yet.
    await waitFor('every role’s code cache', () => (roles.every((f) => existsSync(join(cache, 'ecom', code[0]!, f))) ? true : undefined), 15_000);
    for (const [name, pid] of Object.entries(pids)) {
      expect(readlinkSync(`/proc/${pid}/exe`), `${name}'s executable`).toBe(own[name as keyof typeof own] ?? bin);
      const maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
      expect(maps, `${name} maps a file from node_modules`).not.toContain('node_modules');
      if (/^(logger|user|product|order)-/.test(name)) expect(maps, `${name} loads the cached addon`).toContain(addon[0]);
    }
    expect(statSync(join(cache, 'ecom')).mode & 0o777).toBe(0o700);
    for (const dir of cached) expect(statSync(join(cache, 'ecom', dir)).mode & 0o777, dir).toBe(0o700);

    const down = await ecom('down');
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/stopped \d+ processes/);
    for (const [name, pid] of Object.entries(pids)) expect(alive(pid), `${name} (pid ${pid}) still alive`).toBe(false);
  }, 300_000);

  it('runs without its code cache, and writes a cache V8 refuses again', async () => {
    const dir = join(cache, 'ecom');
    const version = await ecom('--version');
    expect(version.exitCode, version.stderr).toBe(0);
    const code = readdirSync(dir).find((name) => name.startsWith('code-'));
    expect(code, 'a code cache folder').toBeDefined();
    const file = join(dir, code!, 'help.v8cache');
    expect(statSync(file).size).toBeGreaterThan(10_000);
    // Garbage where the cache was: refused by V8, the command still runs, and the cache is written anew.
    writeFileSync(file, 'not a code cache');
    const again = await ecom('--version');
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toBe(version.stdout);
    expect(statSync(file).size).toBeGreaterThan(10_000);
    // ECOM_CODE_CACHE=off neither reads nor writes one.
    rmSync(file);
    const off = await execa(bin, ['--version'], { env: { ...env, ECOM_CODE_CACHE: 'off' }, extendEnv: false, reject: false });
    expect(off.exitCode, off.stderr).toBe(0);
    expect(existsSync(file)).toBe(false);
  }, 120_000);

  it('removes the code cache folders of older builds but the two last used, when a build writes its own first', async () => {
    const dir = join(cache, 'ecom');
    const own = readdirSync(dir).find((name) => name.startsWith('code-'))!;
    rmSync(join(dir, own), { recursive: true, force: true });
    const old = ['code-old1', 'code-old2', 'code-old3', 'code-old4'];
    old.forEach((name, i) => {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'help.v8cache'), 'an older build');
      const at = new Date(Date.now() - (i + 1) * 3_600_000);
      utimesSync(join(dir, name), at, at);
    });
    const version = await ecom('--version');
    expect(version.exitCode, version.stderr).toBe(0);
    expect(
      readdirSync(dir)
        .filter((name) => name.startsWith('code-'))
        .sort(),
    ).toEqual([own, 'code-old1', 'code-old2'].sort());
    // The addon's folder is not a code cache: it stays.
    expect(readdirSync(dir).filter((name) => !name.startsWith('code-'))).toHaveLength(1);
  }, 120_000);
});
