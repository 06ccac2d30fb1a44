import { closeSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';

/** Bytes of `<db>-shm` read: the wal-index header (two copies of 48 bytes) and the first field after it. */
const HEADER_BYTES = 100;

/**
 * How many frames the WAL of SQLite file `file` holds that no checkpoint has copied back yet, read from the
 * wal-index header at the start of `<file>-shm` (sqlite.org/walformat.html: `mxFrame` at byte 16, the checkpoint's
 * `nBackfill` at byte 96, in the machine's byte order) without opening the database; undefined when there is no
 * readable index (not in WAL mode, or no connection open yet).
 */
export function pendingWalFrames(file: string): number | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(`${file}-shm`, 'r');
    const header = Buffer.alloc(HEADER_BYTES);
    if (readSync(fd, header, 0, HEADER_BYTES, 0) < HEADER_BYTES) return undefined;
    const read = (offset: number): number => (endianness() === 'LE' ? header.readUInt32LE(offset) : header.readUInt32BE(offset));
    return Math.max(0, read(16) - read(96));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
