import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { sqliteBinding } from '../../common/load-sqlite-addon.js';
import type { CheckpointWorkerData } from './checkpoint-protocol.js';

/**
 * The checkpoint thread of one service process (started by `startCheckpointer`): its own connection to the service's
 * database copies the WAL back into the file every `everyMs` (PASSIVE: it never waits for the writers nor blocks
 * them), so the fsyncs of a checkpoint are waited for on this thread, not inside a request's commit on the event loop.
 */
function runCheckpoints(data: CheckpointWorkerData, port: NonNullable<typeof parentPort>): void {
  const db = new Database(data.file, { fileMustExist: true, timeout: 0, ...sqliteBinding() });
  const timer = setInterval(() => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy (another process checkpoints) or the file is going away: the next tick tries again.
    }
  }, data.everyMs);
  port.on('message', (message) => {
    if (message !== 'close') return;
    clearInterval(timer);
    db.close();
    port.close();
  });
  port.postMessage('ready');
}

if (parentPort) runCheckpoints(workerData as CheckpointWorkerData, parentPort);
