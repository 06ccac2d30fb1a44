import { readFileSync } from 'node:fs';

/**
 * A process's start time (field 22 of `/proc/<pid>/stat`, clock ticks since boot), or undefined when no such process
 * is visible. A pid and its start time name one process for good: a reused pid comes with a later start time.
 */
export function readProcessStart(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces or parentheses itself: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[19];
  return start !== undefined && /^\d+$/.test(start) ? start : undefined;
}
