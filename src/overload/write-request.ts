import type { Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';

/** Node's libuv stream handle behind a connected `net.Socket` (`socket._handle`), as far as a write needs it. */
interface StreamHandle {
  writeBuffer(req: WriteReq, data: Buffer): number;
}

/** A write request of Node's stream_wrap binding; the handle keeps it only while a write is still going (async). */
interface WriteReq {
  handle: StreamHandle;
  oncomplete: (status: number) => void;
  async: boolean;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

/** Node's stream_wrap binding (what net.Socket writes through), or undefined where this Node does not offer it. */
function loadStreamWrap(): StreamWrapBinding | undefined {
  try {
    const binding = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding('stream_wrap');
    const ok = typeof binding.WriteWrap === 'function' && binding.streamBaseState instanceof Int32Array && typeof binding.kLastWriteWasAsync === 'number';
    return ok ? (binding as StreamWrapBinding) : undefined;
  } catch {
    return undefined;
  }
}

const streamWrap = loadStreamWrap();

/**
 * Writes requests to one connected socket the way net.Socket does underneath, without its Writable machinery: the
 * bytes go straight to the libuv handle (`writeBuffer`, one write(2) when the kernel takes them all, as it does for
 * a request of a few hundred bytes on a connection with nothing else in flight), with no Writable state to update,
 * no write callback and no tick scheduled per write. That was the largest cost of a request in Node after the
 * system calls themselves. The write request object is reused while writes complete at once; one that did not is
 * left to the handle until it completes. Where Node offers no such binding, or the socket has no handle, or a write
 * is still going, `socket.write` is used instead.
 */
export class RequestWriter {
  private req: WriteReq | undefined;
  private writing = false;

  constructor(
    private readonly socket: Socket,
    /** A write that failed later (after an async start), with the error code (`EPIPE`, `ECONNRESET`...). */
    private readonly onError: (code: string) => void,
  ) {}

  /** Writes `bytes`; returns the error code when the write failed at once, else undefined. */
  write(bytes: Buffer): string | undefined {
    const handle = (this.socket as unknown as { _handle: StreamHandle | null })._handle;
    if (!streamWrap || !handle || this.writing) {
      this.socket.write(bytes);
      return undefined;
    }
    const req = (this.req ??= new streamWrap.WriteWrap());
    req.handle = handle;
    req.async = false;
    req.oncomplete = this.completed;
    const err = handle.writeBuffer(req, bytes);
    if (err !== 0) return getSystemErrorName(err);
    if (streamWrap.streamBaseState[streamWrap.kLastWriteWasAsync] !== 0) {
      this.writing = true;
      this.req = undefined;
    }
    return undefined;
  }

  private readonly completed = (status: number): void => {
    this.writing = false;
    if (status < 0) this.onError(getSystemErrorName(status));
  };
}
