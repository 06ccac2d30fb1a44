import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The last `lines` lines of a text file (reads at most the last 64 KiB); empty when the file is missing. */
export function readLogTail(file: string, lines: number): string[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-lines);
  } finally {
    closeSync(fd);
  }
}
