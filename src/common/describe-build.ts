import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { assetFile, IN_BINARY, readAsset } from './locate-assets.js';

/** The SEA asset that records what the binary was built from (written by `scripts/build-binary.mjs`). */
export const BUILD_INFO_ASSET = 'build-info.json';

/** What `ecom --version` names: the package version and the git commit. */
export interface BuildInfo {
  version: string;
  /** Short commit hash (`-dirty` when the tree had changes), or `dev` when git cannot tell. */
  commit: string;
  /** In the binary: the SQLite addon asset's sha256 and size, so a start need not read and hash it to find its copy. */
  addon?: { sha256: string; size: number };
}

function gitCommit(cwd: string): string {
  try {
    const git = (args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
    return `${git(['rev-parse', '--short=12', 'HEAD'])}${dirty ? '-dirty' : ''}`;
  } catch {
    return 'dev';
  }
}

/** The binary's baked-in build info; from source, the version in package.json and the checkout's commit. */
export function readBuildInfo(): BuildInfo {
  if (IN_BINARY) return JSON.parse(readAsset(BUILD_INFO_ASSET)) as BuildInfo;
  const { version } = JSON.parse(readFileSync(assetFile('package.json'), 'utf8')) as { version: string };
  return { version, commit: gitCommit(assetFile('.')) };
}

/** One line for `ecom --version`, e.g. `ecom 0.1.0 (commit 1a2b3c4d5e6f, binary)`. */
export function describeBuild(info: BuildInfo = readBuildInfo()): string {
  return `ecom ${info.version} (commit ${info.commit}, ${IN_BINARY ? 'binary' : 'source'})`;
}
