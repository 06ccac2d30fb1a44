import { readdirSync, readFileSync } from 'node:fs';

/** The pids of an nginx master's worker processes (not its cache manager or loader), from /proc, sorted. */
export function workersOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const parent = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1];
        return parent === String(pid) && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('worker process');
      } catch {
        return false;
      }
    })
    .map(Number)
    .sort();
}
