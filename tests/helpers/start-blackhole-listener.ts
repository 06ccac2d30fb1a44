import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

/** A TCP port on 127.0.0.1 where a new connection never completes its handshake. */
export interface BlackholeListener {
  port: number;
  close(): Promise<void>;
}

/**
 * The child listens with a backlog of 1 (node reads 0 as "default") and then blocks its event loop for good, so it
 * never accepts. Linux completes two handshakes into the accept queue and, with that queue full, drops every later
 * SYN (the client keeps resending it): what a target that drops packets looks like, on loopback, without iptables
 * (not installed here) or root. We park connections until one no longer completes: from then on the port is a
 * black hole.
 */
const CHILD = `
const server = require('node:net').createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  process.stdout.write(server.address().port + '\\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});`;

/** Opens a connection kept in `parked`; whether it completed within `withinMs`. */
function connects(port: number, withinMs: number, parked: Socket[]): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    parked.push(socket);
    const timer = setTimeout(() => resolve(false), withinMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.on('error', () => undefined);
  });
}

/** Starts the blocked listener and fills its accept queue. */
export async function startBlackholeListener(): Promise<BlackholeListener> {
  const child: ChildProcess = spawn(process.execPath, ['-e', CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(line.toString().trim());
  const sockets: Socket[] = [];
  let filled = false;
  for (let i = 0; i < 8 && !filled; i++) filled = !(await connects(port, 300, sockets));
  if (!filled) {
    child.kill('SIGKILL');
    throw new Error(`port ${port} kept accepting: cannot simulate a target that drops packets here`);
  }
  return {
    port,
    async close() {
      for (const s of sockets) s.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    },
  };
}
