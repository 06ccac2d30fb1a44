import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { ClusterConfig } from '../../src/config/cluster-schema.js';
import { loadClusterFile } from '../../src/config/load-cluster-file.js';

/**
 * For the enclosing `describe`: `load(fields)` writes a cluster file of those fields (state dir inside its own temp
 * dir, readable by any user) and loads it as ecom does; every dir made is removed after each test.
 */
export function useClusterFiles(prefix: string): (fields: object) => { cluster: ClusterConfig; path: string; dir: string } {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (fields) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    chmodSync(dir, 0o755);
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify({ stateDir: join(dir, 'state'), ...fields }));
    return { cluster: loadClusterFile(path, {}), path, dir };
  };
}
