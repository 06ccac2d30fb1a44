import { Agent, createServer, request, type Server } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { drainTraffic } from '../../src/kit/drain-traffic.js';
import { probeTcp } from '../../src/kit/probe-port.js';
import { freePort } from '../helpers/free-port.js';

describe('drainTraffic', () => {
  let server: Server | undefined;
  let agent: Agent | undefined;
  afterEach(async () => {
    agent?.destroy();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = agent = undefined;
  });

  const listen = async (): Promise<{ port: number; served: () => number }> => {
    let count = 0;
    server = createServer((_req, res) => {
      count++;
      res.end('ok');
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    return { port, served: () => count };
  };
  const get = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => res.resume().on('end', resolve));
      req.on('error', reject);
      req.end();
    });

  it('ends at once when nothing is connected (the gateway is gone), without waiting for the quiet period', async () => {
    await listen();
    await drainTraffic(server!, { quietMs: 60_000, maxMs: 60_000 });
  });

  it('keeps waiting while a connected client still sends, and ends after its last request once quiet', async () => {
    const { port, served } = await listen();
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    await get(port);
    let sent = 1;
    const drained = drainTraffic(server!, { quietMs: 150, maxMs: 60_000 }).then(() => served());
    for (; sent < 8; sent++) {
      await new Promise((r) => setTimeout(r, 30));
      await get(port);
    }
    // The client stays connected (keep-alive) but sends nothing more: the drain ends on the quiet period.
    expect(await drained).toBe(8);
  });

  it('ends once the gateway no longer listens, though an idle keep-alive client stays connected', async () => {
    const { port } = await listen();
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    await get(port);
    // A real listener stands for the gateway; closing it is what `ecom down` does first.
    const gateway = createServer();
    const gatewayPort = await freePort();
    await new Promise<void>((resolve) => gateway.listen(gatewayPort, '127.0.0.1', resolve));
    let drained = false;
    const drain = drainTraffic(server!, {
      quietMs: 60_000,
      maxMs: 60_000,
      gatewayGone: async () => !(await probeTcp('127.0.0.1', gatewayPort)),
    }).then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(drained, 'drained while the gateway still listened').toBe(false);
    await new Promise((resolve) => gateway.close(resolve));
    await drain;
  });

  it('ends before its first look when the gateway is already gone (`ecom down` stopped it first)', async () => {
    const { port } = await listen();
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    await get(port);
    const looks = vi.spyOn(server!, 'getConnections');
    let asked = 0;
    await drainTraffic(server!, { quietMs: 60_000, maxMs: 60_000, gatewayGone: async () => (++asked, true) });
    expect(asked).toBe(1);
    expect(looks).not.toHaveBeenCalled();
  });
});
