import { readFileSync } from 'node:fs';
import { readProcessStart } from '../common/read-process-start.js';
import { isProcessAlive } from './is-process-alive.js';

/** One process for good: its pid and its start time (a reused pid has another start time). */
export interface ProcessIdentity {
  pid: number;
  startTime: string;
}

/** The identity of a live process, or undefined when it is gone. */
export function identifyProcess(pid: number): ProcessIdentity | undefined {
  const startTime = readProcessStart(pid);
  return startTime === undefined ? undefined : { pid, startTime };
}

/** Whether the process an identity names still runs (same pid, same start time, not a zombie). */
export function isSameProcess(identity: ProcessIdentity): boolean {
  return isProcessAlive(identity.pid) && readProcessStart(identity.pid) === identity.startTime;
}

/** The text of a pid file: `<pid> <start time>`. */
export function formatPidFile(identity: ProcessIdentity): string {
  return `${identity.pid} ${identity.startTime}\n`;
}

/** Parses a pid file's text; undefined for anything but `<pid> <start time>` (an old pid-only file included). */
export function parsePidFile(text: string): ProcessIdentity | undefined {
  const match = /^(\d+) (\d+)\s*$/.exec(text);
  if (!match) return undefined;
  const pid = Number(match[1]);
  return pid > 1 ? { pid, startTime: match[2]! } : undefined;
}

/** Reads a pid file; undefined when it is missing or malformed. */
export function readPidFile(file: string): ProcessIdentity | undefined {
  try {
    return parsePidFile(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
