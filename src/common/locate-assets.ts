import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { getAsset, isSea } from 'node:sea';

/** Whether this process is the single `ecom` executable (`npm run build:binary`) rather than node running the build. */
export const IN_BINARY = isSea();

// From source this file is src/common/ or dist/common/, two levels below the repo root; the bundle has no import.meta.
const HERE = import.meta.dirname as string | undefined;
const ROOT = HERE ? resolve(HERE, '../..') : dirname(process.execPath);

/** Where asset `key` (a repo-relative path such as `templates/nginx.conf.hbs`) lies in the source tree. */
export function assetFile(key: string): string {
  return resolve(ROOT, key);
}

/** The text of asset `key`: the repo's file when run from source, the copy inside the executable in the binary. */
export function readAsset(key: string): string {
  return IN_BINARY ? getAsset(key, 'utf8') : readFileSync(assetFile(key), 'utf8');
}

/**
 * The text of a file shipped by an installed package (`uplot/dist/uPlot.iife.min.js`): resolved as node resolves
 * packages when run from source, the copy inside the executable (asset `node_modules/<spec>`) in the binary.
 */
export function readPackageAsset(spec: string): string {
  return IN_BINARY ? getAsset(`node_modules/${spec}`, 'utf8') : readFileSync(createRequire(assetFile('package.json')).resolve(spec), 'utf8');
}

/** The command that runs `ecom ARGS...` as this same program: the binary itself, or node with the built CLI entry. */
export function selfCommand(args: readonly string[]): { command: string; args: string[] } {
  if (IN_BINARY || !HERE) return { command: process.execPath, args: [...args] };
  return { command: process.execPath, args: [resolve(HERE, '../cli/main.js'), ...args] };
}
