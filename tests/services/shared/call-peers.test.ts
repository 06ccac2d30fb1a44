import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { callPeers, type PeerTransport } from '../../../src/services/shared/call-peers.js';
import type { PeerInstance, PeerResolver } from '../../../src/services/shared/resolve-peers.js';

const servers: Server[] = [];
const clients: Array<{ close?: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close?.()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
});

/** A peer instance that answers `status` with what it received: method, path, token and body. */
async function peer(id: number, status: number): Promise<PeerInstance> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id, method: req.method, path: req.url, authorization: req.headers.authorization, body }));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { id, host: '127.0.0.1', port: typeof address === 'object' && address ? address.port : 0 };
}

const resolverOf = (instances: PeerInstance[]): PeerResolver => ({ list: () => instances, close: () => undefined });

describe.each<PeerTransport>(['pool', 'http'])('peer calls over the %s transport', (transport) => {
  it('carry the cluster token and the JSON body, and return the answer parsed', async () => {
    const client = callPeers({ resolver: resolverOf([await peer(1, 202)]), clusterToken: 'tok', timeoutMs: 2_000, transport });
    clients.push(client);
    const res = await client.call('logger', { method: 'POST', path: '/api/logs', body: [{ msg: 'hi' }], idempotent: true });
    expect(res).toEqual({ status: 202, body: { id: 1, method: 'POST', path: '/api/logs', authorization: 'Bearer tok', body: '[{"msg":"hi"}]' } });
  });

  it('move an idempotent call past an instance that answers 503, but not a call that is not idempotent', async () => {
    const instances = [await peer(1, 503), await peer(2, 200)];
    const client = callPeers({ resolver: resolverOf(instances), clusterToken: 'tok', timeoutMs: 2_000, transport });
    clients.push(client);
    const answers = await Promise.all([1, 2].map(() => client.call('product', { method: 'GET', path: '/x', idempotent: true })));
    expect(answers.map((a) => [a.status, (a.body as { id: number }).id])).toEqual([
      [200, 2],
      [200, 2],
    ]);
    const once = await Promise.all([1, 2].map(() => client.call('product', { method: 'POST', path: '/x', idempotent: false })));
    expect(once.map((a) => a.status).sort()).toEqual([200, 503]);
  });

  it('answer 503 <kind>_unavailable when no instance answers', async () => {
    const gone = await peer(1, 200);
    await new Promise((r) => servers.pop()!.close(r));
    const client = callPeers({ resolver: resolverOf([gone]), clusterToken: 'tok', timeoutMs: 2_000, transport });
    clients.push(client);
    await expect(client.call('user', { method: 'GET', path: '/internal/users/1', idempotent: true })).rejects.toMatchObject({
      status: 503,
      code: 'user_unavailable',
    });
  });
});
