import { connect } from 'node:net';

/** True when a TCP connection to host:port opens and, with `send`/`expect`, the answer starts with `expect`. */
export function probeTcp(host: string, port: number, options: { send?: string; expect?: string; timeoutMs?: number } = {}): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let data = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(options.timeoutMs ?? 1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => {
      if (!options.send) return done(true);
      socket.write(options.send);
    });
    socket.on('data', (chunk) => {
      data += chunk.toString();
      if (options.expect && data.length >= options.expect.length) done(data.startsWith(options.expect));
    });
  });
}
