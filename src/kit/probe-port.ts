import { connect } from 'node:net';

/** Whether something accepts TCP connections on host:port within `timeoutMs` (the connection is closed at once). */
export function isPortOpen(host: string, port: number, timeoutMs = 100): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
