import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadClusterFile } from '../../../src/config/load-cluster-file.js';
import { CACHE_VOLUME, RESTART_DELAY, renderStack } from '../../../src/runtime/docker/render-stack.js';
import { writeClusterFile } from '../../helpers/write-cluster-file.js';

type Stack = {
  services: Record<string, { volumes: string[]; deploy: { restart_policy: { condition: string; delay: string } }; environment?: Record<string, string> }>;
  volumes: Record<string, { name: string }>;
};

describe('the swarm stack file', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('has no init task, restarts after a short delay, and gives every ecom container the shared cache volume at its cache dir', async () => {
    const written = await writeClusterFile();
    dirs.push(dirname(written.file));
    const cluster = loadClusterFile(written.file);
    const stack = parse(renderStack(cluster, { version: '1.2.3' })) as Stack;
    expect(Object.keys(stack.services).sort()).toEqual(['gateway', 'iscs', 'logger-1', 'order-5', 'product-3', 'product-4', 'redis', 'user-2']);
    expect(stack.volumes).toEqual({ [CACHE_VOLUME]: { name: CACHE_VOLUME } });
    for (const [name, service] of Object.entries(stack.services)) {
      expect(service.deploy.restart_policy, name).toEqual({ condition: 'any', delay: RESTART_DELAY });
      const cache = service.volumes.filter((v) => v.startsWith(`${CACHE_VOLUME}:`));
      if (name === 'redis') expect(cache).toEqual([]);
      else expect(cache).toEqual([`${CACHE_VOLUME}:${service.environment?.XDG_CACHE_HOME}`]);
    }
  });
});
