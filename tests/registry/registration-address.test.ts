import { afterEach, describe, expect, it } from 'vitest';
import { isValidHost } from '../../src/common/check-host.js';
import { createLogger } from '../../src/kit/create-logger.js';
import { startIscsServer, type IscsHandle } from '../../src/registry/start-iscs-server.js';

const quiet = createLogger({
  service: 'test',
  instance: 'test',
  level: 'error',
  out: { write: () => true } as unknown as NodeJS.WritableStream,
});
const credentials = {
  admin: { email: 'admin@ecom.local', password: 'pw' },
  clusterToken: 'token-for-tests',
  jwtSecret: 'secret-for-tests',
};
const INJECTION = '127.0.0.1:5001 max_fails=1; } server { listen 9999; location / { alias /tmp/; autoindex on; } } upstream x { server 127.0.0.1';

describe('what counts as a host', () => {
  it.each(['127.0.0.1', '::1', 'fe80::1', 'localhost', 'product-1.internal', 'a'.repeat(63) + '.example'])('accepts %s', (host) => {
    expect(isValidHost(host)).toBe(true);
  });
  it.each([INJECTION, '', ' 127.0.0.1', '127.0.0.1:5001', 'host;', 'a b', '-lead.example', 'trail-.example', 'a..b', 'a'.repeat(64), '[::1]', 'x{y}'])(
    'refuses %j',
    (host) => {
      expect(isValidHost(host)).toBe(false);
    },
  );
});

describe('the registry refuses registrations whose address is not an address', () => {
  let registry: IscsHandle | undefined;
  afterEach(async () => {
    await registry?.close();
    registry = undefined;
  });

  it('answers 400 naming host for an injection attempt and keeps it out of the listing; real hosts register', async () => {
    registry = await startIscsServer({ host: '127.0.0.1', port: 0, ttlMs: 5000, credentials, log: quiet });
    const base = `http://127.0.0.1:${registry.port}`;
    const put = (id: number, body: unknown) =>
      fetch(`${base}/v1/instances/product/${id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${credentials.clusterToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const bad = await put(1, { host: INJECTION, port: 5001 });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/host/);
    expect((await put(2, { host: '127.0.0.1', port: 70000 })).status).toBe(400);
    expect((await put(3, { host: '::1', port: 5003 })).status).toBe(200);
    expect((await put(4, { host: 'localhost', port: 5004 })).status).toBe(200);
    const listing = (await (await fetch(`${base}/v1/services`)).json()) as { services: Record<string, Array<{ id: number }>> };
    expect(listing.services.product!.map((i) => i.id).sort()).toEqual([3, 4]);
  });
});
