import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { IN_BINARY, readAsset } from '../common/locate-assets.js';
import type { LoadWorkerData } from './load-worker-protocol.js';

/** The SEA asset holding load-worker.ts bundled on its own (scripts/build-binary.mjs): the binary has no file to start. */
export const LOAD_WORKER_ASSET = 'overload-worker.cjs';

// dist/overload/ (or src/overload/ under the test runner); the bundle has no import.meta.
const HERE = import.meta.dirname as string | undefined;

/** The built worker script: beside this file, or, when this file is the TypeScript source, in dist/ (`npm run build`). */
function workerFile(here: string): string {
  const beside = join(here, 'load-worker.js');
  return existsSync(beside) ? beside : resolve(here, '../../dist/overload/load-worker.js');
}

/** Starts one load worker thread: from its file when run from the build, from the embedded source in the binary. */
export function startLoadWorker(data: LoadWorkerData): Worker {
  if (IN_BINARY || !HERE) return new Worker(readAsset(LOAD_WORKER_ASSET), { eval: true, workerData: data });
  return new Worker(workerFile(HERE), { workerData: data });
}
