import { execFile } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import type { Socket } from 'node:net';

/** What is known of the process on the other end of a unix socket connection. */
export type PeerUids = { uids: number[] } | { unknown: string };

function socketInode(socket: Socket): string | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return undefined;
  try {
    return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
  } catch {
    return undefined;
  }
}

function uidsOf(pid: string): number[] {
  try {
    const line = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return line ? line.slice(1).map(Number) : [];
  } catch {
    return [];
  }
}

/**
 * The user ids (real, effective, saved, filesystem) of every process holding the peer end of an accepted unix socket
 * connection. Node has no SO_PEERCRED: this socket's inode comes from `/proc/self/fd`, the peer's inode and the
 * processes holding it from `ss -xp` (sock_diag), their uids from `/proc/<pid>/status`. `unknown` says why not.
 */
export async function readPeerUids(socket: Socket): Promise<PeerUids> {
  const inode = socketInode(socket);
  if (inode === undefined) return { unknown: 'no file descriptor for the connection' };
  const listing = await new Promise<{ out: string } | { error: Error & { code?: unknown } }>((resolve) =>
    execFile('ss', ['-xpH'], { timeout: 5000, maxBuffer: 16 * 1024 * 1024 }, (error, out) => resolve(error ? { error } : { out })),
  );
  if ('error' in listing) return { unknown: listing.error.code === 'ENOENT' ? 'ss is not installed' : `ss failed: ${listing.error.message}` };
  const lines = listing.out.split('\n');
  // Our end: "<path> <our inode> * <peer inode>"; the peer's end: "* <peer inode> * <our inode> users:((...))".
  const peer = lines.map((l) => new RegExp(`\\s${inode}\\s+\\*\\s+(\\d+)(?:\\s|$)`).exec(l)?.[1]).find(Boolean);
  if (peer === undefined) return { unknown: 'the peer socket is not listed' };
  const holders = lines.find((l) => new RegExp(`\\s${peer}\\s+\\S+\\s+${inode}\\s`).test(l));
  const pids = [...(holders ?? '').matchAll(/pid=(\d+)/g)].map((m) => m[1]!);
  if (pids.length === 0) return { unknown: 'no visible process holds the peer socket' };
  return { uids: pids.flatMap(uidsOf) };
}
