import { existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { EcomError } from '../../common/ecom-error.js';
import type { ImageKind } from './docker-names.js';

/** One host file or folder and where it goes in the image. */
export interface ImageFile {
  from: string;
  to: string;
}

/** What one image is made of: host files (programs and their libraries) at their place in the image. */
export interface ImageContents {
  kind: ImageKind;
  files: ImageFile[];
  /** The program the image runs by default. */
  entry: string;
}

/** Folders the nginx image takes as they are when the host has them: dynamic modules, Lua libraries. */
const NGINX_EXTRAS = [
  '/usr/lib/nginx/modules',
  '/usr/share/nginx/modules-available',
  '/usr/share/lua/5.1',
  '/usr/local/share/lua/5.1',
  '/usr/local/lib/lua/5.1',
];

/** The absolute path of `binary` on PATH; `docker_build_failed` naming the package when it is missing. */
export function findOnPath(binary: string, pkg = binary): string {
  for (const dir of ['/usr/sbin', '/usr/bin', ...(process.env.PATH ?? '').split(delimiter)]) {
    const candidate = join(dir, binary);
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new EcomError('docker_build_failed', `${binary} is not installed, so its image cannot be built from it`, {
    hint: `apt-get install -y ${pkg}, or pass --base IMAGE`,
  });
}

/** The shared libraries `ldd` lists for an executable or a library (none for a static one). */
export async function sharedLibraries(file: string): Promise<string[]> {
  const { stdout, exitCode } = await execa('ldd', [file], { reject: false });
  if (exitCode !== 0) return [];
  return stdout
    .split('\n')
    .map((line) => /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line)?.[1])
    .filter((lib): lib is string => lib !== undefined);
}

/** Every `.so` file under a folder (nginx modules). */
function sharedObjectsUnder(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.so'))
    .map((f) => join(dir, f));
}

/** Programs plus every library any of them needs, each at its host path, without repeats (one `ldd` per file, all at once). */
async function withLibraries(programs: ImageFile[], alsoLink: string[] = []): Promise<ImageFile[]> {
  const lists = await Promise.all([...programs.map((p) => p.from), ...alsoLink].map(sharedLibraries));
  const libs = new Set(lists.flat());
  return [...programs, ...[...libs].sort().map((lib) => ({ from: lib, to: lib }))];
}

/** What each image is built from: ecom's executable; the host's nginx (with modules and Lua if present) and ecom; redis-server. */
export async function collectImageFiles(kind: ImageKind, appBinary: string): Promise<ImageContents> {
  switch (kind) {
    case 'app':
      return { kind, entry: '/usr/local/bin/ecom', files: await withLibraries([{ from: appBinary, to: '/usr/local/bin/ecom' }]) };
    case 'nginx': {
      const nginx = findOnPath('nginx');
      const extras = NGINX_EXTRAS.filter((dir) => existsSync(dir));
      const modules = extras.flatMap(sharedObjectsUnder);
      // With ecom's executable too: a stack's gateway container runs `ecom nginx start` (the proxy sync and nginx).
      const files = await withLibraries(
        [
          { from: nginx, to: '/usr/sbin/nginx' },
          { from: appBinary, to: '/usr/local/bin/ecom' },
        ],
        modules,
      );
      return { kind, entry: '/usr/sbin/nginx', files: [...files, ...extras.map((dir) => ({ from: dir, to: dir }))] };
    }
    case 'redis': {
      const redis = findOnPath('redis-server');
      return { kind, entry: '/usr/bin/redis-server', files: await withLibraries([{ from: redis, to: '/usr/bin/redis-server' }]) };
    }
  }
}
