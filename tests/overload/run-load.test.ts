import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildScenario, plainGetScenario, type Scenario } from '../../src/overload/build-scenario.js';
import { runLoad } from '../../src/overload/run-load.js';

const servers: Array<Server | NetServer> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ origin: string; server: Server }> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return { origin: `http://127.0.0.1:${port}`, server };
}

describe('the load engine', () => {
  it('sends exactly N requests in the closed model, whatever the concurrency', async () => {
    let seen = 0;
    const { origin } = await serve((_req, res) => {
      seen++;
      res.end('ok');
    });
    for (const [n, c] of [
      [1, 1],
      [97, 8],
      [500, 50],
      [3, 10],
    ] as const) {
      seen = 0;
      const final = await runLoad({ origin, scenario: plainGetScenario('/'), concurrency: c, requestCount: n, timeoutMs: 5000 });
      expect(seen).toBe(n);
      expect(final.completed).toBe(n);
      expect(final.ok).toBe(n);
      expect(final.final).toBe(true);
      expect(Object.isFrozen(final)).toBe(true);
    }
  });

  it('counts statuses, errors by kind, instances and cache states, with ordered percentiles', async () => {
    let i = 0;
    const { origin } = await serve((_req, res) => {
      const n = i++;
      res.setHeader('X-Instance-Id', n % 2 ? 'a-1' : 'b-2');
      res.setHeader('X-Cache-Status', n % 4 === 0 ? 'MISS' : 'HIT');
      res.statusCode = n % 5 === 0 ? 500 : 200;
      res.end('{}');
    });
    const s = await runLoad({ origin, scenario: plainGetScenario('/x'), concurrency: 4, requestCount: 100, timeoutMs: 5000 });
    expect(s.byStatus).toEqual({ '200': 80, '500': 20 });
    expect(s.errors).toBe(20);
    expect(s.errorsByKind).toEqual({ HTTP_500: 20 });
    expect(s.instances['a-1']! + s.instances['b-2']!).toBe(100);
    expect(s.cache).toEqual({ MISS: 25, HIT: 75 });
    const l = s.latencyMs;
    expect(l.p50).toBeLessThanOrEqual(l.p90);
    expect(l.p90).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.p999);
    expect(l.p999).toBeLessThanOrEqual(l.max * 1.001 + 0.01);
    expect(l.mean).toBeGreaterThan(0);
  });

  it('classifies refused connections', async () => {
    const s = await runLoad({ origin: 'http://127.0.0.1:1', scenario: plainGetScenario('/'), concurrency: 2, requestCount: 4, timeoutMs: 2000 });
    expect(s.errors).toBe(4);
    expect(Object.keys(s.errorsByKind)).toEqual(['ECONNREFUSED']);
  });

  it('shows a server stall in the percentiles in the open model (latency from the intended send time)', async () => {
    const start = Date.now();
    const held: Array<() => void> = [];
    const { origin } = await serve((_req, res) => {
      const t = Date.now() - start;
      if (t > 700 && t < 1700) held.push(() => res.end('late'));
      else res.end('ok');
    });
    const release = setInterval(() => {
      if (Date.now() - start >= 1700) held.splice(0).forEach((f) => f());
    }, 5);
    try {
      const s = await runLoad({ origin, scenario: plainGetScenario('/'), concurrency: 4, rate: 100, durationMs: 2500, timeoutMs: 5000 });
      expect(s.model).toBe('open');
      expect(s.completed).toBe(250);
      expect(s.latencyMs.max).toBeGreaterThan(700);
      expect(s.latencyMs.p99).toBeGreaterThan(300);
      expect(s.latencyMs.p50).toBeLessThan(s.latencyMs.p99);
    } finally {
      clearInterval(release);
    }
  });

  it('retries an idempotent request once when a reused connection is closed before any response, not a POST', async () => {
    // Answers the first request on each connection, then closes the connection when the second arrives.
    const net: NetServer = createNetServer((socket: Socket) => {
      let requests = 0;
      socket.on('data', (chunk) => {
        const count = chunk.toString().split('\r\n\r\n').length - 1;
        for (let i = 0; i < count; i++) {
          requests++;
          if (requests === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
          else socket.destroy();
        }
      });
    });
    servers.push(net);
    await new Promise<void>((r) => net.listen(0, '127.0.0.1', () => r()));
    const origin = `http://127.0.0.1:${(net.address() as { port: number }).port}`;
    const get = await runLoad({ origin, scenario: plainGetScenario('/'), concurrency: 1, requestCount: 4, timeoutMs: 2000 });
    expect(get.retries).toBeGreaterThanOrEqual(1);
    expect(get.errors).toBe(0);
    expect(get.ok).toBe(4);
    const post: Scenario = {
      name: 'post',
      prepare: async () => undefined,
      createUser: async () => ({ next: () => ({ method: 'POST', path: '/', headers: { 'content-type': 'application/json' }, body: '{}', idempotent: false }) }),
    };
    const posted = await runLoad({ origin, scenario: post, concurrency: 1, requestCount: 4, timeoutMs: 2000 });
    expect(posted.retries).toBe(0);
    expect(posted.errors).toBeGreaterThanOrEqual(1);
  });

  it('refuses a scenario against an empty catalogue with a hint to seed', async () => {
    const { origin } = await serve((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"items":[],"nextCursor":null}');
    });
    await expect(runLoad({ origin, scenario: buildScenario('product'), concurrency: 1, requestCount: 1, timeoutMs: 2000 })).rejects.toThrow(/catalogue is empty/);
  });
});
