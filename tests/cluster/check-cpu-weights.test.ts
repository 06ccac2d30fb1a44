import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCpuWeights } from '../../src/cluster/check-cpu-weights.js';
import { useClusterFiles } from '../helpers/use-cluster-files.js';

describe('ecom doctor on the CPU weights', () => {
  const load = useClusterFiles('ecom-doctor-weights-');

  it('names what the weights become, and never fails the doctor', () => {
    expect(checkCpuWeights(load({ runtime: 'docker' }).cluster)).toEqual({ name: 'cpu weights', ok: true, detail: 'given to the containers as CpuShares' });
    const ordinary = load({
      gateway: { cpuWeight: 100 },
      services: { order: { instances: [{ id: 5, port: 5005 }], cpuWeight: 100 }, product: { instances: [{ id: 1, port: 5001 }], cpuWeight: 50 } },
    }).cluster;
    expect(checkCpuWeights(ordinary).detail).toBe('none above an ordinary process’s');
  });

  it.skipIf(process.getuid?.() !== 0)(
    'tries the highest priority asked on itself and puts its own back: applied as root, refused for another user',
    async () => {
      const before = getPriority();
      const { cluster, path, dir } = load({});
      expect(checkCpuWeights(cluster)).toEqual({
        name: 'cpu weights',
        ok: true,
        detail: 'applied (nice down to -10; README, "Supervision")',
      });
      expect(getPriority()).toBe(before);

      const script = join(dir, 'check.mjs');
      const dist = (file: string): string => JSON.stringify(resolve(import.meta.dirname, '../../dist', file));
      writeFileSync(
        script,
        [
          `import { checkCpuWeights } from ${dist('cluster/check-cpu-weights.js')};`,
          `import { loadClusterFile } from ${dist('config/load-cluster-file.js')};`,
          `console.log(JSON.stringify(checkCpuWeights(loadClusterFile(${JSON.stringify(path)}, {}))));`,
        ].join('\n'),
      );
      const child = spawn(process.execPath, [script], { uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      expect(await once(child, 'exit')).toEqual([0, null]);
      expect(JSON.parse(out)).toEqual({
        name: 'cpu weights',
        ok: true,
        detail: 'not applied: raising a priority to nice -10 takes root or CAP_SYS_NICE; the cluster runs at nice 0',
      });
    },
  );
});
