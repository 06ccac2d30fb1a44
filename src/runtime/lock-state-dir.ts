import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EcomError } from '../common/ecom-error.js';
import { formatPidFile, identifyProcess, isSameProcess, parsePidFile, type ProcessIdentity } from './process-identity.js';

/** A held state-dir lock; `release()` removes the lock file while it still names this process. Idempotent. */
export interface StateLock {
  release(): void;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes `text` to a temporary file next to `file` (owner-only) and returns its name. */
function writeAside(file: string, text: string): string {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  return tmp;
}

/** Creates `file` holding `text` only if it does not exist, complete or not at all (no reader sees it half written). */
function createExclusive(file: string, text: string): boolean {
  const tmp = writeAside(file, text);
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Moves a stale lock out of the way; false when what was moved is not the stale text (then it is put back). */
function removeStale(file: string, staleText: string): boolean {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
  const moved = readText(aside);
  if (moved !== staleText) {
    // Someone took the lock over between our read and the rename: give it back.
    try {
      linkSync(aside, file);
    } catch {
      /* a third process holds it now */
    }
  }
  rmSync(aside, { force: true });
  return moved === staleText;
}

/**
 * Locks a state dir for one cluster (`ecom up`): the lock file is created exclusively and holds this process's pid
 * and start time. A lock whose holder is gone (dead, or its pid reused) is taken over; one held by `adoptFrom` (the
 * `ecom up` that started this daemon) or by this process is taken on. Any other live holder: `already_running`.
 */
export function lockStateDir(file: string, options: { adoptFrom?: number } = {}): StateLock {
  const me = identifyProcess(process.pid);
  if (!me) throw new EcomError('start_failed', 'cannot read this process’s start time from /proc');
  const text = formatPidFile(me);
  const lock: StateLock = { release: () => releaseIfMine(file, me) };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createExclusive(file, text)) return lock;
    const held = readText(file);
    if (held === undefined) continue;
    const holder = parsePidFile(held);
    if (holder && isSameProcess(holder)) {
      // Already held by this process (foreground `ecom up`): whoever took it first releases it.
      if (holder.pid === me.pid) return { release: () => undefined };
      if (holder.pid === options.adoptFrom) {
        renameSync(writeAside(file, text), file);
        return lock;
      }
      throw new EcomError('already_running', `a cluster already runs (or is starting) for ${dirname(file)} (pid ${holder.pid} holds ${file})`);
    }
    if (!removeStale(file, held)) break;
  }
  throw new EcomError('already_running', `another ecom up is starting a cluster for ${dirname(file)} at the same moment`);
}

function releaseIfMine(file: string, me: ProcessIdentity): void {
  const holder = parsePidFile(readText(file) ?? '');
  if (holder?.pid === me.pid && holder.startTime === me.startTime) rmSync(file, { force: true });
}

/** Removes a lock file whose holder is gone (what a killed daemon leaves behind); a live holder's lock stays. */
export function clearStaleLock(file: string): void {
  const held = readText(file);
  if (held === undefined) return;
  const holder = parsePidFile(held);
  if (!holder || !isSameProcess(holder)) removeStale(file, held);
}
