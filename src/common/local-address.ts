import { createSocket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';

/** One try: a UDP "connect" picks the route to `host` without sending anything; a name that does not resolve rejects. */
function routeToward(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    // The callback gets the lookup's error: the socket is then bound to the wildcard only, not an address to register.
    socket.connect(port, host, (err?: Error) => {
      if (err) {
        socket.close();
        return reject(err);
      }
      const { address } = socket.address();
      socket.close();
      resolve(address);
    });
  });
}

/**
 * The local address this machine (or container) uses to reach `host`: what a process inside a container registers
 * as its own address. Retried every `retryMs` while `host` does not resolve (a swarm task may start before the
 * registry's task has its DNS name), for at most `timeoutMs`.
 */
export async function localAddressToward(host: string, port: number, options: { retryMs?: number; timeoutMs?: number } = {}): Promise<string> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    try {
      return await routeToward(host, port);
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await sleep(options.retryMs ?? 200);
    }
  }
}
