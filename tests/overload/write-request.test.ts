import { connect, createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { RequestWriter } from '../../src/overload/write-request.js';
import { freePort } from '../helpers/free-port.js';
import { useClosing } from '../helpers/use-closing.js';

/** A TCP server that keeps every byte it receives (per connection, in order); `pause` leaves them unread. */
async function startSink(pause = false): Promise<{ port: number; received: () => Buffer; peers: Socket[]; close(): Promise<void> }> {
  const chunks: Buffer[] = [];
  const peers: Socket[] = [];
  const server: Server = createServer((socket) => {
    peers.push(socket);
    if (pause) socket.pause();
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    received: () => Buffer.concat(chunks),
    peers,
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of peers) p.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A client socket reading into a buffer of its own, as the load engine's do (so `pause()` stops reading at once). */
async function connected(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, onread: { buffer: Buffer.alloc(1024), callback: () => true } });
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('writing requests straight to the socket handle', () => {
  const use = useClosing();

  it('delivers every byte in order, whether the kernel takes a write at once or only part of it', async () => {
    const sink = use(await startSink());
    const socket = await connected(sink.port);
    use({ close: () => socket.destroy() });
    const writer = new RequestWriter(socket, (code) => expect.fail(`write failed: ${code}`));
    const expected: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      // Small requests, and now and then one far larger than a socket buffer (left to the handle to finish).
      const bytes = Buffer.from(i % 50 === 7 ? `big ${i} ${'x'.repeat(8 * 1024 * 1024)}|` : `GET /${i} HTTP/1.1\r\n\r\n`);
      expected.push(bytes);
      expect(writer.write(bytes)).toBeUndefined();
    }
    const all = Buffer.concat(expected);
    await until(() => sink.received().length >= all.length);
    expect(sink.received().equals(all)).toBe(true);
  });

  it('names the error of a write to a connection the peer reset', async () => {
    const sink = use(await startSink());
    const socket = await connected(sink.port);
    socket.on('error', () => undefined);
    // Not reading: the socket has not noticed the reset when the write goes, the kernel tells the writer.
    socket.pause();
    use({ close: () => socket.destroy() });
    await until(() => sink.peers.length === 1);
    sink.peers[0]!.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 50));
    const later: string[] = [];
    const writer = new RequestWriter(socket, (code) => later.push(code));
    const codes: Array<string | undefined> = [];
    for (let i = 0; i < 3; i++) codes.push(writer.write(Buffer.from('GET / HTTP/1.1\r\n\r\n')));
    await new Promise((r) => setTimeout(r, 50));
    expect(later).toEqual([]);
    expect(['EPIPE', 'ECONNRESET']).toContain(codes[0]);
  });
});
