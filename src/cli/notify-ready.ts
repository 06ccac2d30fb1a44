import { closeSync, writeSync } from 'node:fs';
import { READY_FD_ENV } from '../runtime/runtime.js';

/**
 * Tells the supervisor that this process serves: one line on the file descriptor it named in ECOM_READY_FD (the
 * process runtime passes a pipe as fd 3), which is then closed. Nothing happens when the variable is unset (run by
 * hand, in a container) or the descriptor is no longer open.
 */
export function notifyReady(env: NodeJS.ProcessEnv = process.env): void {
  const fd = Number(env[READY_FD_ENV]);
  if (!Number.isInteger(fd) || fd < 3) return;
  try {
    writeSync(fd, 'ready\n');
    closeSync(fd);
  } catch {
    // The supervisor went away or closed its end: it probes anyway.
  }
}
