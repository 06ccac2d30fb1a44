/** What the checkpoint thread of a service process is started with. */
export interface CheckpointWorkerData {
  /** The service's SQLite file (WAL mode). */
  file: string;
  /** How often the WAL is copied back into the file. */
  everyMs: number;
}

/** The SEA asset holding checkpoint-worker.ts bundled on its own (scripts/build-binary.mjs). */
export const CHECKPOINT_WORKER_ASSET = 'checkpoint-worker.cjs';
