#!/usr/bin/env node
// Builds dist/ecom: the whole CLI bundled into one minified CommonJS script with esbuild (SEA asset `app.cjs`), the
// service and registry roles alone into another (`server.cjs`), packaged as a Node.js single executable application
// (SEA) whose main script is scripts/binary-boot.cjs (it runs one of the two with a per-role V8 code cache), with the
// templates, the better-sqlite3 addon and the build info as assets.
// `--if-stale` rebuilds only when a source is newer than dist/ecom (the binary test uses it to build once per run).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { patchMimeTypes } from './lib/patch-mime-types.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'dist', 'ecom');
const WORK = join(ROOT, 'dist', 'binary');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const ADDON = join(ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
/** Files of installed packages the binary carries as assets `node_modules/<spec>` (the HTML report inlines uPlot). */
const PACKAGE_ASSETS = ['uplot/dist/uPlot.iife.min.js', 'uplot/dist/uPlot.min.css'];
/** Everything the binary is made of: a change to any of these makes dist/ecom stale. */
const INPUTS = ['src', 'templates', 'package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build-binary.mjs', 'scripts/binary-boot.cjs'];
/** The SEA main script: runs the `app.cjs` asset with a code cache made after each role's first run. */
const BOOT = join(ROOT, 'scripts', 'binary-boot.cjs');

const started = Date.now();
let last = started;
const step = (text) => {
  const now = Date.now();
  process.stdout.write(`build-binary: [+${((now - last) / 1000).toFixed(1)} s] ${text}\n`);
  last = now;
};
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

class BuildError extends Error {}
const fail = (message) => {
  throw new BuildError(message);
};

function newestInput() {
  let newest = 0;
  const visit = (path) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const input of INPUTS) visit(join(ROOT, input));
  return newest;
}

function listFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

function gitCommit() {
  try {
    const git = (args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
    return `${git(['rev-parse', '--short=12', 'HEAD'])}${dirty ? '-dirty' : ''}`;
  } catch {
    return 'dev';
  }
}

/**
 * ink 6 imports yoga-layout 3, which awaits its wasm at the top level: a CommonJS bundle cannot. This module stands
 * in for `yoga-layout`: it instantiates the same embedded wasm synchronously (Emscripten's `instantiateWasm` hook)
 * and wraps it as yoga-layout's own entry does.
 */
function yogaShim(require) {
  const pkg = resolve(dirname(require.resolve('yoga-layout/load')), '../..');
  const factory = join(pkg, 'dist/binaries/yoga-wasm-base64-esm.js');
  const base64 = /data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)/.exec(readFileSync(factory, 'utf8'))?.[1];
  if (!base64) fail(`no embedded wasm found in ${factory}: yoga-layout changed, update the shim in scripts/build-binary.mjs`);
  return `
import loadYoga from ${JSON.stringify(factory)};
import wrapAssembly from ${JSON.stringify(join(pkg, 'dist/src/wrapAssembly.js'))};
export * from ${JSON.stringify(join(pkg, 'dist/src/generated/YGEnums.js'))};
const lib = {
  instantiateWasm(imports, done) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(${JSON.stringify(base64)}, 'base64')), imports);
    done(instance);
    return instance.exports;
  },
};
loadYoga(lib);
if (typeof lib.Node !== 'function') throw new Error('yoga-layout did not initialise synchronously');
export default wrapAssembly(lib);
`;
}

/** ink's reconciler awaits at the top level only when DEV=true (React devtools, which the binary leaves out). */
function patchInkReconciler(text, file) {
  const patches = [
    ["await import('./devtools.js');", 'void 0; // React devtools are not in the ecom binary'],
    ['? await loadPackageJson()', "? { name: 'ink', version: undefined }"],
  ];
  for (const [from, to] of patches) {
    if (text.split(from).length !== 2) fail(`${file} no longer contains ${JSON.stringify(from)}: ink changed, update scripts/build-binary.mjs`);
    text = text.replace(from, to);
  }
  return text;
}

/** What scripts/binary-boot.cjs compiles a wrapped bundle as: one function of CommonJS's five arguments. */
const WRAPPER = { js: '(function (exports, require, module, __filename, __dirname) {' };

async function bundle(entry, outfile, wrapped) {
  const require = createRequire(join(ROOT, 'package.json'));
  const esbuild = await import(require.resolve('esbuild')).catch(() => fail('esbuild is not installed (a dev dependency): run npm ci'));
  const shim = yogaShim(require);
  const plugin = {
    name: 'ecom-binary',
    setup(build) {
      build.onResolve({ filter: /^yoga-layout$/ }, () => ({ path: 'yoga-layout', namespace: 'ecom-yoga' }));
      build.onLoad({ filter: /.*/, namespace: 'ecom-yoga' }, () => ({ contents: shim, loader: 'js', resolveDir: ROOT }));
      // ssh2's optional native speed-ups (pulled in by dockerode; ecom reaches Docker over a unix socket, never ssh)
      // stay out of the bundle: requiring one throws, and ssh2 guards those requires and falls back to plain JS.
      build.onResolve({ filter: /\.node$/ }, ({ path }) => ({ path, namespace: 'ecom-no-addon' }));
      build.onLoad({ filter: /.*/, namespace: 'ecom-no-addon' }, () => ({ contents: "throw new Error('native addon left out of the binary');", loader: 'js' }));
      build.onLoad({ filter: /[\\/]mime-types[\\/]index\.js$/ }, ({ path }) => ({
        contents: patchMimeTypes(readFileSync(path, 'utf8'), path, fail),
        loader: 'js',
      }));
      build.onLoad({ filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/ }, ({ path }) => ({
        contents: patchInkReconciler(readFileSync(path, 'utf8'), path),
        loader: 'js',
      }));
    },
  };
  const result = await esbuild
    .build({
      absWorkingDir: ROOT,
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      // The bundle has no files beside it: src/common/locate-assets.ts reads import.meta.dirname only from source.
      // Nothing else is defined (not even NODE_ENV): the binary behaves as the source build does.
      define: { 'import.meta.dirname': 'undefined' },
      // Minified (names kept: error classes and stack traces read them): half the bytes for every process to hold.
      minify: process.env.ECOM_BUILD_PLAIN !== '1', // ECOM_BUILD_PLAIN=1: readable names in CPU profiles
      keepNames: true,
      plugins: [plugin],
      legalComments: 'none',
      logLevel: 'silent',
      // Wrapped here rather than at run time, where wrapping copied the 2-5 MB source once more in every process.
      ...(wrapped ? { banner: WRAPPER, footer: { js: '\n})' } } : {}),
    })
    .catch((err) =>
      fail(
        `esbuild failed:\n${(err.errors ?? []).map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`).join('\n') || err.message}`,
      ),
    );
  for (const warning of result.warnings) step(`warning: ${warning.text}${warning.location ? ` (${warning.location.file}:${warning.location.line})` : ''}`);
}

function seaConfig(bundles, blob, buildInfo) {
  const assets = { ...bundles, 'build-info.json': buildInfo, 'better_sqlite3.node': ADDON };
  for (const file of listFiles(join(ROOT, 'templates'))) assets[relative(ROOT, file).split('\\').join('/')] = file;
  const require = createRequire(join(ROOT, 'package.json'));
  for (const spec of PACKAGE_ASSETS) assets[`node_modules/${spec}`] = require.resolve(spec);
  return { main: BOOT, output: blob, disableExperimentalSEAWarning: true, assets };
}

async function build() {
  if (process.argv.includes('--if-stale') && existsSync(OUT) && statSync(OUT).mtimeMs > newestInput()) {
    step(`${relative(ROOT, OUT)} is newer than its sources, kept`);
    return;
  }
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) fail(`node ${process.versions.node} cannot build a single executable: use Node.js 20 or newer`);
  if (!existsSync(ADDON)) fail(`${relative(ROOT, ADDON)} is missing: run npm ci (it builds better-sqlite3)`);
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });

  // Two bundles: the whole program, and the roles a cluster runs many of (service instances, the registry) alone.
  // A third: the load worker thread of `overload --workers N` (a SEA has no file to start a Worker from, so the
  // binary starts it from this asset's source: src/overload/start-load-worker.ts).
  const bundles = { 'app.cjs': join(WORK, 'app.cjs'), 'server.cjs': join(WORK, 'server.cjs'), 'overload-worker.cjs': join(WORK, 'overload-worker.cjs') };
  // A fourth: the WAL checkpoint thread of every service process (src/services/shared/start-checkpointer.ts).
  bundles['checkpoint-worker.cjs'] = join(WORK, 'checkpoint-worker.cjs');
  for (const [asset, entry] of [
    ['app.cjs', 'src/cli/main.ts'],
    ['server.cjs', 'src/cli/serve-roles.ts'],
    ['overload-worker.cjs', 'src/overload/load-worker.ts'],
    ['checkpoint-worker.cjs', 'src/services/shared/checkpoint-worker.ts'],
  ]) {
    step(`bundling ${entry} with esbuild`);
    await bundle(entry, bundles[asset], asset !== 'overload-worker.cjs');
    step(`bundle ${relative(ROOT, bundles[asset])}: ${mb(statSync(bundles[asset]).size)}`);
  }

  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const buildInfo = join(WORK, 'build-info.json');
  const appHash = createHash('sha256').update(readFileSync(bundles['app.cjs'])).update(readFileSync(bundles['server.cjs'])).digest('hex').slice(0, 16);
  const addonBytes = readFileSync(ADDON);
  const addon = { sha256: createHash('sha256').update(addonBytes).digest('hex'), size: addonBytes.length };
  writeFileSync(buildInfo, `${JSON.stringify({ version, commit: gitCommit(), app: appHash, addon })}\n`);
  const blob = join(WORK, 'sea-prep.blob');
  const config = join(WORK, 'sea.json');
  writeFileSync(config, `${JSON.stringify(seaConfig(bundles, blob, buildInfo), null, 2)}\n`);
  step(`preparing the SEA blob (node ${process.versions.node})`);
  try {
    execFileSync(process.execPath, ['--experimental-sea-config', config], { cwd: WORK, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    fail(`node --experimental-sea-config failed: ${String(err.stderr ?? err.message).trim()}`);
  }
  step(`blob ${relative(ROOT, blob)}: ${mb(statSync(blob).size)}`);

  const temp = `${OUT}.tmp`;
  step(`copying ${process.execPath} and injecting the blob with postject`);
  copyFileSync(process.execPath, temp);
  chmodSync(temp, 0o755);
  if (!readFileSync(temp).includes(FUSE)) fail(`${process.execPath} has no SEA fuse: it cannot become a single executable (use an official Node.js build)`);
  const postject = join(dirname(createRequire(join(ROOT, 'package.json')).resolve('postject')), 'cli.js');
  // LIEF warns about every ELF note section it cannot name; those warnings are harmless, real failures exit non-zero.
  const injected = spawnSync(process.execPath, [postject, temp, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE], { encoding: 'utf8' });
  if (injected.status !== 0) fail(`postject failed: ${(injected.stderr || injected.stdout || String(injected.error)).trim()}`);
  step(`injected ${mb(statSync(blob).size)} into ${relative(ROOT, temp)}`);
  // Copied once more before it is renamed into place (a rename, so a running dist/ecom is never overwritten).
  // postject wrote the file in one write, which leaves it in the page cache in large folios, and a Linux 6.x kernel
  // maps a large folio whole on a fault: every process run from that file then held 14 MB more RSS here (an instance
  // 88 MB instead of 74 MB). A copy is cached page by page, as a file read from disk is (the state a copied,
  // downloaded or installed binary is in after a reboot).
  const copy = `${OUT}.new`;
  copyFileSync(temp, copy);
  chmodSync(copy, 0o755);
  rmSync(temp);
  renameSync(copy, OUT);

  const check = execFileSync(OUT, ['--version'], { encoding: 'utf8', env: { PATH: '' } }).trim();
  step(`${relative(ROOT, OUT)}: ${mb(statSync(OUT).size)}, ${check}, built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

build().catch((err) => {
  process.stderr.write(`build-binary: ${err instanceof BuildError ? err.message : (err.stack ?? err)}\n`);
  process.exitCode = 1;
});
