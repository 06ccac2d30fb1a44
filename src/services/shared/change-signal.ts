import { appendFileSync, closeSync, fstatSync, openSync } from 'node:fs';

/** A counter shared by every instance of a service through one small file: cheap to read, bumped on each change. */
export interface ChangeSignal {
  /** Current value (one fstat). */
  version(): number;
  /** Bumps the value for every process (one append). */
  bump(): void;
  close(): void;
}

/**
 * Opens the change signal at `file`. The value is the file's size: a bump appends a byte after the change it announces
 * committed, so any instance that reads the size afterwards knows something changed. Costs a syscall, not a query.
 */
export function openChangeSignal(file: string): ChangeSignal {
  const fd = openSync(file, 'a');
  let closed = false;
  return {
    version: () => fstatSync(fd).size,
    bump: () => appendFileSync(fd, '.'),
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}
