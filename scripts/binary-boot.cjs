// The main script of the single executable (see scripts/build-binary.mjs): it runs one of two bundles, which travel
// as SEA assets — `server.cjs` for service instances and the registry, `app.cjs` for everything else — with a V8
// code cache made AFTER the first run of each role. Node 20's own `useCodeCache`
// is made before anything runs, so it holds only the top level: every function a role calls (express, ioredis, zod,
// the service itself) would otherwise be compiled again in every process. One cache file per role (`service-product`,
// `iscs`, `daemon`, `status`, ...) lies in `code-<sha256 of the bundle>/` of the cache directory that also holds the
// SQLite addon (src/common/load-sqlite-addon.ts); a cache V8
// rejects (another node, other flags) is rebuilt. Only Node's built-in modules are used here.
'use strict';
const { getAsset, getRawAsset } = require('node:sea');
const { Script } = require('node:vm');
const { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { homedir, tmpdir } = require('node:os');
const { join } = require('node:path');

/** The build's identity, written by build-binary.mjs: `app` is the sha256 of the app bundle. */
const info = JSON.parse(getAsset('build-info.json', 'utf8'));
/** How long a role runs before its code cache is written (a short command writes it when it exits). */
const WRITE_AFTER_MS = 3000;

/** The role this process plays: the command and, for a service instance, its kind. */
function roleOf(argv) {
  const words = argv.slice(2).filter((word) => !word.startsWith('-'));
  const role = words[0] === 'service' ? `service-${words[2] ?? 'unknown'}` : (words[0] ?? 'help');
  return /^[a-z][a-z0-9-]{0,40}$/.test(role) ? role : 'other';
}

const role = roleOf(process.argv);

function cacheFile() {
  const base = process.env.XDG_CACHE_HOME || join(homedir() || tmpdir(), '.cache');
  return join(base, 'ecom', `code-${info.app}`, `${role}.v8cache`);
}

/** Code cache folders of other builds kept beside this build's (the most recently used ones). */
const KEEP_OTHER_BUILDS = 2;

/**
 * Removes the code cache folders of older builds, once per build: the first time this build writes its own folder.
 * Each build's folder holds about 18 MB; without this every upgrade (or every build, for whoever builds ecom) left one.
 */
function pruneOtherBuilds(base, own) {
  try {
    const others = readdirSync(base)
      .filter((name) => name.startsWith('code-') && name !== own)
      .map((name) => ({ name, used: statSync(join(base, name)).mtimeMs }))
      .sort((a, b) => b.used - a.used);
    for (const { name } of others.slice(KEEP_OTHER_BUILDS)) rmSync(join(base, name), { recursive: true, force: true });
  } catch {
    // Another process pruning at the same time, or a folder we may not remove: left for the next build.
  }
}

function readCache(file) {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * `ECOM_CPU_PROFILE=DIR`: a V8 CPU profile of this whole process (from here to exit) written to DIR, since a single
 * executable takes no `--cpu-prof`. For measuring start-up; off by default.
 */
function profileToExit(dir) {
  const { Session } = require('node:inspector');
  const session = new Session();
  session.connect();
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.once('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `ecom-${role}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
if (process.env.ECOM_CPU_PROFILE) profileToExit(process.env.ECOM_CPU_PROFILE);

/** Service instances and the registry run the smaller bundle made for them; everything else the whole program. */
const bundle = /^(service-|iscs$)/.test(role) ? 'server.cjs' : 'app.cjs';
const bootStart = process.hrtime.bigint();
const file = cacheFile();
let cachedData = process.env.ECOM_CODE_CACHE === 'off' ? undefined : readCache(file);
// esbuild writes ASCII (its default charset escapes everything else in code), so the bundle is read as latin1: a
// plain copy of the bytes into a one-byte string, where decoding 4.7 MB of UTF-8 took every process 20-25 ms.
const source = Buffer.from(getRawAsset(bundle)).toString('latin1');
// The bundle is already wrapped as one function of CommonJS's five arguments (build-binary.mjs).
const script = new Script(source, {
  filename: join(process.execPath, bundle),
  cachedData,
});
const accepted = cachedData !== undefined && !script.cachedDataRejected;
// `ECOM_BOOT_TIMING=1`: one line on stderr saying how this process's bundle was loaded (for start-up measurements).
if (process.env.ECOM_BOOT_TIMING) {
  const ms = Number(process.hrtime.bigint() - bootStart) / 1e6;
  const cache = cachedData === undefined ? 'none' : accepted ? 'accepted' : 'rejected';
  process.stderr.write(`ecom boot: ${role} ${bundle} code cache ${cache}, ${ms.toFixed(1)} ms, at ${(process.uptime() * 1000).toFixed(0)} ms\n`);
}
cachedData = undefined;

if (process.env.ECOM_CODE_CACHE !== 'off' && !accepted) {
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    try {
      const temp = `${file}.${process.pid}.tmp`;
      const folder = join(file, '..');
      const first = !existsSync(folder);
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      writeFileSync(temp, script.createCachedData(), { mode: 0o600 });
      renameSync(temp, file);
      if (first) pruneOtherBuilds(join(folder, '..'), `code-${info.app}`);
    } catch {
      // A cache that cannot be written costs start-up time only.
    }
  };
  setTimeout(write, WRITE_AFTER_MS).unref();
  process.once('exit', write);
}

const module_ = { exports: {} };
script.runInThisContext()(module_.exports, require, module_, join(process.execPath, bundle), process.execPath);
