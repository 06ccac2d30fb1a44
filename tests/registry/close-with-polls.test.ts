import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/kit/create-logger.js';
import { startIscsServer } from '../../src/registry/start-iscs-server.js';

const quiet = createLogger({ service: 'test', instance: 'test', level: 'error', out: { write: () => true } as unknown as NodeJS.WritableStream });
const credentials = { clusterToken: 'token-for-tests', jwtSecret: 'secret-for-tests-secret-for-tests-secret' };

/** One GET over `agent` (keep-alive): status, the Connection header, and the body. */
const get = (agent: Agent, port: number, path: string): Promise<{ status: number; connection: string | undefined; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
    });
    req.on('error', reject);
    req.end();
  });

describe('the registry closing while a client long-polls', () => {
  it('answers the waiting poll, and a poll sent again on the same connection at once, with Connection: close', async () => {
    const registry = await startIscsServer({ host: '127.0.0.1', port: 0, ttlMs: 60_000, credentials, log: quiet });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const index = JSON.parse((await get(agent, registry.port, '/v1/services')).body).index as number;
      const waiting = get(agent, registry.port, `/v1/services?index=${index}&wait=30s`);
      await new Promise((r) => setTimeout(r, 100));
      const closed = registry.close();
      expect((await waiting).status).toBe(200);
      // A watcher polls again straight away: it must get an answer, not a connection cut when the grace period ends.
      const again = await get(agent, registry.port, `/v1/services?index=${index}&wait=30s`);
      expect(again.status).toBe(200);
      expect(again.connection).toBe('close');
      expect(JSON.parse(again.body).index).toBe(index);
      await closed;
    } finally {
      agent.destroy();
      await registry.close();
    }
  });
});
