import { get } from 'node:http';
import { probeTcp } from '../kit/probe-port.js';

/**
 * True when GET `url` answers 200 within `timeoutMs`. node:http on a fresh connection, closed after the answer: the
 * global fetch would load node's own undici into the daemon at its first probe (about 70 ms of CPU on the way to
 * `up`), and its kept-alive connections would sit on every instance, holding up that instance's drain when it stops.
 */
export function probeHttp(url: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode === 200));
      res.once('error', () => resolve(false));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timed out')));
    req.once('error', () => resolve(false));
  });
}

/** redis-server answers PING (after accepting `password` for its default user, when given). */
export const probeRedis = (host: string, port: number, password?: string): Promise<boolean> =>
  password === undefined
    ? probeTcp(host, port, { send: 'PING\r\n', expect: '+PONG' })
    : probeTcp(host, port, { send: `AUTH default ${password}\r\nPING\r\n`, expect: '+OK\r\n+PONG' });
