import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyCpuWeight, niceOfWeight } from '../../src/runtime/apply-cpu-weight.js';

const isRoot = process.getuid?.() === 0;
const autogroupNice = (pid: number): string | undefined => /nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, 'utf8'))?.[1];

describe('CPU weights as nice values', () => {
  it('maps systemd’s CPUWeight scale to the nearest nice value, within -20..19', () => {
    expect([100, 125, 80, 305, 930, 10_000, 10, 1].map(niceOfWeight)).toEqual([0, -1, 1, -5, -10, -20, 10, 19]);
  });
});

describe.skipIf(!isRoot)('applyCpuWeight on real processes', () => {
  const children: ChildProcess[] = [];
  let dir: string | undefined;
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  // Leads its own session, so its own autogroup, as the process runtime's instances do.
  const sessionLeader = (): ChildProcess => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
    children.push(child);
    return child;
  };

  it('sets the nice value of the process and of its autogroup, which is what weighs across sessions', () => {
    const child = sessionLeader();
    expect(applyCpuWeight(child.pid!, 930)).toBeUndefined();
    expect(getPriority(child.pid!)).toBe(-10);
    if (existsSync(`/proc/${child.pid}/autogroup`)) expect(autogroupNice(child.pid!)).toBe('-10');
    expect(applyCpuWeight(child.pid!, 100)).toBeUndefined();
    expect(getPriority(child.pid!)).toBe(-10);
  });

  it('says why when the system refuses (raising a priority without root), and lowers one without root', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-cpu-weight-'));
    chmodSync(dir, 0o755);
    const script = join(dir, 'apply.mjs');
    const module = resolve(import.meta.dirname, '../../dist/runtime/apply-cpu-weight.js');
    writeFileSync(
      script,
      [
        `import { existsSync, readFileSync } from 'node:fs';`,
        `import { applyCpuWeight } from ${JSON.stringify(module)};`,
        `const outcomes = [applyCpuWeight(process.pid, 930) ?? null, applyCpuWeight(process.pid, 50) ?? null];`,
        // The kernel takes one autogroup write per 100 ms from a process without CAP_SYS_ADMIN: it lands within a few tries.
        `setTimeout(() => console.log(JSON.stringify([...outcomes, existsSync('/proc/self/autogroup') ? readFileSync('/proc/self/autogroup', 'utf8').trim().split(' ').slice(1).join(' ') : null])), 700);`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, [script], { uid: 65534, gid: 65534, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    expect(await once(child, 'exit')).toEqual([0, null]);
    expect(JSON.parse(out)).toEqual(['CPU weight 930 (nice -10) not applied: raising a priority takes root or CAP_SYS_NICE', null, 'nice 3']);
  });

  it('leaves a process that has already gone alone', async () => {
    const child = sessionLeader();
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(applyCpuWeight(child.pid!, 930)).toBeUndefined();
  });
});
