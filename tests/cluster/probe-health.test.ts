import { afterEach, describe, expect, it } from 'vitest';
import { probeHttp } from '../../src/cluster/probe-health.js';
import { freePort } from '../helpers/free-port.js';
import { waitFor } from '../helpers/wait-for.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';

describe('probeHttp', () => {
  let target: HttpTarget | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  it('is true for a 200 only, and leaves no connection open behind it', async () => {
    target = await startHttpTarget((req, res) => {
      res.statusCode = req.url === '/health' ? 200 : 503;
      res.end('{}');
    });
    expect(await probeHttp(`${target.origin}/health`)).toBe(true);
    expect(await probeHttp(`${target.origin}/sick`)).toBe(false);
    // The server ends each connection after its answer (Connection: close), so it soon holds none.
    await waitFor(
      "the probe's connection to close",
      async () => (await new Promise<number>((resolve) => target!.server.getConnections((_err, n) => resolve(n)))) === 0,
      2000,
    );
  });

  it('is false when nothing listens, and false within its timeout when the answer never comes', async () => {
    expect(await probeHttp(`http://127.0.0.1:${await freePort()}/health`)).toBe(false);
    target = await startHttpTarget(() => undefined);
    expect(await probeHttp(`${target.origin}/health`, 200)).toBe(false);
  });
});
