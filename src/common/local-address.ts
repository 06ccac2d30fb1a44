import { createSocket } from 'node:dgram';

/**
 * The local address this machine (or container) uses to reach `host`: what a process inside a container registers
 * as its own address. A UDP "connect" picks the route without sending anything.
 */
export function localAddressToward(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.connect(port, host, () => {
      const { address } = socket.address();
      socket.close();
      resolve(address);
    });
  });
}
