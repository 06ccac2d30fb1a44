import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { plainGetScenario } from '../../src/overload/build-scenario.js';
import { runLoad } from '../../src/overload/run-load.js';
import { freePorts } from '../helpers/free-port.js';
import { waitFor } from '../helpers/wait-for.js';

describe('retry accounting while nginx reloads', () => {
  let dir: string;
  let upstream: Server | undefined;
  let nginx: ChildProcess | undefined;
  afterEach(async () => {
    if (nginx?.pid) process.kill(-nginx.pid, 'SIGKILL');
    await new Promise((r) => (upstream ? upstream.close(r) : r(undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends exactly N requests with no error although nginx reloads under load', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-reload-'));
    const [front, back] = (await freePorts(2)) as [number, number];
    let served = 0;
    upstream = createServer((_req, res) => {
      served++;
      res.end('ok');
    });
    await new Promise<void>((r) => upstream!.listen(back, '127.0.0.1', () => r()));
    mkdirSync(join(dir, 'logs'));
    writeFileSync(
      join(dir, 'nginx.conf'),
      `daemon off; worker_processes 2; pid ${dir}/nginx.pid; error_log ${dir}/error.log;${process.getuid?.() === 0 ? ' user root;' : ''}
events { worker_connections 1024; }
http { access_log off; client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  keepalive_timeout 30s;
  upstream back { server 127.0.0.1:${back}; keepalive 16; }
  server { listen 127.0.0.1:${front}; location / { proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://back; } } }`,
    );
    nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore', detached: true });
    await waitFor('nginx', async () => (await fetch(`http://127.0.0.1:${front}/`).catch(() => undefined))?.status === 200);
    served = 0;
    const master = Number(readFileSync(join(dir, 'nginx.pid'), 'utf8'));
    let reloads = 0;
    const reloader = setInterval(() => {
      process.kill(master, 'SIGHUP');
      reloads++;
    }, 150);
    try {
      const s = await runLoad({ origin: `http://127.0.0.1:${front}`, scenario: plainGetScenario('/'), concurrency: 16, requestCount: 6000, timeoutMs: 5000 });
      expect(reloads).toBeGreaterThan(2);
      expect(s.completed).toBe(6000);
      expect(s.errors).toBe(0);
      expect(s.ok).toBe(6000);
      expect(served).toBe(6000);
      expect(s.retries).toBeGreaterThanOrEqual(0);
    } finally {
      clearInterval(reloader);
    }
  });
});
