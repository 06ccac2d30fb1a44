import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { getRawAsset } from 'node:sea';
import { EcomError } from './ecom-error.js';
import { readBuildInfo } from './describe-build.js';
import { IN_BINARY } from './locate-assets.js';

/** The SEA asset holding better-sqlite3's native addon. */
export const SQLITE_ADDON_ASSET = 'better_sqlite3.node';

/** Where the binary unpacks its native addon: `$XDG_CACHE_HOME/ecom`, else `~/.cache/ecom`. */
export function addonCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir() || tmpdir(), '.cache'), 'ecom');
}

/**
 * Writes the addon once under its sha256 (temp name, then rename, so concurrent processes agree) and returns its path.
 * The sha256 and size come from the build info; the asset is read only when the copy is missing.
 */
function unpackAddon(): string {
  const known = readBuildInfo().addon;
  if (known) {
    const file = join(addonCacheDir(), known.sha256, SQLITE_ADDON_ASSET);
    if (statSync(file, { throwIfNoEntry: false })?.size === known.size) return file;
  }
  const raw = getRawAsset(SQLITE_ADDON_ASSET);
  const bytes = typeof raw === 'string' ? Buffer.from(raw) : new Uint8Array(raw);
  const dir = join(addonCacheDir(), createHash('sha256').update(bytes).digest('hex'));
  const file = join(dir, SQLITE_ADDON_ASSET);
  try {
    if (statSync(file, { throwIfNoEntry: false })?.size === bytes.length) return file;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temp, bytes, { mode: 0o700 });
    renameSync(temp, file);
    return file;
  } catch (err) {
    throw new EcomError('start_failed', `cannot unpack the SQLite addon to ${dir}: ${(err as Error).message}`, {
      hint: 'set XDG_CACHE_HOME to a writable directory',
      cause: err,
    });
  }
}

let addon: object | undefined;

/**
 * better-sqlite3's `nativeBinding` option: nothing from source (it finds its addon in node_modules), the addon loaded
 * from the cache dir in the binary, which can `require` no file. (better-sqlite3 takes the loaded addon object too,
 * though its types only name a path.)
 */
export function sqliteBinding(): { nativeBinding?: string } {
  if (!IN_BINARY) return {};
  if (!addon) {
    const module = { exports: {} };
    process.dlopen(module, unpackAddon());
    addon = module.exports;
  }
  return { nativeBinding: addon as unknown as string };
}
