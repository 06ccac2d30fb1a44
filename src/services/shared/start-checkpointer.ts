import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { IN_BINARY, readAsset } from '../../common/locate-assets.js';
import { CHECKPOINT_WORKER_ASSET, type CheckpointWorkerData } from './checkpoint-protocol.js';
import type { Db } from './open-database.js';

/** How often the checkpoint thread copies the WAL back (and so how often a writer restarts the WAL: a small fsync). */
export const CHECKPOINT_EVERY_MS = 1000;

/** WAL pages after which a commit checkpoints by itself on the event loop: only a backstop for a thread that fell behind. */
export const LOOP_CHECKPOINT_BACKSTOP_PAGES = 20_000;

// dist/services/shared/ (or src/services/shared/ under the test runner); the bundle has no import.meta.
const HERE = import.meta.dirname as string | undefined;

/** The built worker script: beside this file, or, when this file is the TypeScript source, in dist/ (`npm run build`). */
function workerFile(here: string): string {
  const beside = join(here, 'checkpoint-worker.js');
  return existsSync(beside) ? beside : resolve(here, '../../../dist/services/shared/checkpoint-worker.js');
}

/** A running checkpoint thread. */
export interface Checkpointer {
  /** Stops the thread (its connection closed first); idempotent. */
  close(): Promise<void>;
}

/** Size of the WAL file at which the thread starts: about 250 pages, a quarter of SQLite's own auto-checkpoint. */
export const START_AT_WAL_BYTES = 1024 * 1024;

/**
 * Takes the WAL checkpoints of `db` (open on `file`) off the event loop. SQLite's auto-checkpoint runs inside the
 * commit that grows the WAL past 1,000 pages, and waits there for two fsyncs: 5 ms on a quiet disk here, 50–65 ms
 * when other processes write, and every request of the process waits with it. A worker thread with its own
 * connection checkpoints every `everyMs` instead (an fsync on another thread does not hold up this one's writes); the
 * loop's own auto-checkpoint stays as a backstop at `LOOP_CHECKPOINT_BACKSTOP_PAGES`, and SQLite's default comes back
 * if the thread cannot start or fails. The thread starts once the WAL file has grown to `START_AT_WAL_BYTES` (its size
 * looked at every `everyMs`, by stat: opening and closing any file SQLite locks, such as `-shm`, would drop every
 * POSIX lock this process holds on it): a thread costs a process 6–15 MB and its start-up CPU, which an instance that
 * does not write, and every instance while a cluster starts, need not pay.
 */
export function startCheckpointer(db: Db, file: string, everyMs = CHECKPOINT_EVERY_MS): Checkpointer {
  let worker: Worker | undefined;
  let exited: Promise<void> = Promise.resolve();
  let closing: Promise<void> | undefined;
  const start = async (): Promise<void> => {
    const data: CheckpointWorkerData = { file, everyMs };
    // Loaded here: node:worker_threads costs 3-4 ms of an instance's start-up, for a thread many never start.
    const { Worker } = await import('node:worker_threads');
    if (closing) return;
    try {
      worker =
        IN_BINARY || !HERE
          ? new Worker(readAsset(CHECKPOINT_WORKER_ASSET), { eval: true, workerData: data })
          : new Worker(workerFile(HERE), { workerData: data });
    } catch {
      return;
    }
    worker.unref();
    worker.once('message', () => db.open && db.pragma(`wal_autocheckpoint = ${LOOP_CHECKPOINT_BACKSTOP_PAGES}`));
    worker.once('error', () => db.open && db.pragma('wal_autocheckpoint = 1000'));
    const thread = worker;
    exited = new Promise<void>((done) => thread.once('exit', () => done()));
  };
  const watch = setInterval(() => {
    if ((statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0) < START_AT_WAL_BYTES) return;
    clearInterval(watch);
    start().catch(() => undefined);
  }, everyMs);
  watch.unref();
  return {
    close() {
      closing ??= (async () => {
        clearInterval(watch);
        if (!worker) return;
        // A thread that does not end within 2 s of being asked is terminated.
        const thread = worker;
        const timer = setTimeout(() => void thread.terminate(), 2000);
        thread.postMessage('close');
        await exited;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}
