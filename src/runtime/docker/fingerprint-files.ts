import type { Hash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Hashes the path, size and modification time of every file under `path` (folders walked in order): an image input's identity. */
export function fingerprint(path: string, hash: Hash): void {
  const stat = statSync(path);
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path).sort()) fingerprint(join(path, entry), hash);
  } else {
    hash.update(`${path}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
}
