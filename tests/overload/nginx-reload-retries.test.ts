import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { plainGetScenario } from '../../src/overload/build-scenario.js';
import { runLoad } from '../../src/overload/run-load.js';
import { freePort } from '../helpers/free-port.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';
import { waitFor } from '../helpers/wait-for.js';

describe('retry accounting against a real nginx reloaded during the run', () => {
  let dir: string | undefined;
  let upstream: HttpTarget | undefined;
  let nginx: ChildProcess | undefined;
  afterEach(async () => {
    if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
      process.kill(-nginx.pid!, 'SIGKILL');
      await once(nginx, 'exit');
    }
    nginx = undefined;
    await upstream?.close();
    upstream = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('retries the GETs whose connections a reload closed: retries > 0, no errors, exactly N requests', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-nginx-reload-'));
    upstream = await startHttpTarget((_req, res) => res.end('ok'));
    upstream.server.keepAliveTimeout = 60_000;
    const front = await freePort();
    mkdirSync(join(dir, 'logs'));
    // notice level: the master logs each "reconfiguring", which proves the reloads happened.
    writeFileSync(
      join(dir, 'nginx.conf'),
      `daemon off; worker_processes 2; pid ${dir}/nginx.pid; error_log ${dir}/error.log notice;${process.getuid?.() === 0 ? ' user root;' : ''}
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  keepalive_timeout 30s;
  keepalive_requests 100000;
  upstream back { server ${upstream.origin.slice('http://'.length)}; keepalive 32; }
  server {
    listen 127.0.0.1:${front};
    location / { proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://back; }
  }
}
`,
    );
    nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore', detached: true });
    await waitFor('nginx', async () => (await fetch(`http://127.0.0.1:${front}/`).catch(() => undefined))?.status === 200);
    const reconfigurations = (): number => (readFileSync(join(dir!, 'error.log'), 'utf8').match(/reconfiguring/g) ?? []).length;
    expect(reconfigurations()).toBe(0);
    upstream.reset();

    const N = 12_000;
    // Reloads at set points of the run, not on a timer: however fast the machine runs it, requests follow each one.
    const reloadAt = new Set([2_000, 5_000, 8_000, 11_000]);
    let done = 0;
    let hups = 0;
    const s = await runLoad({
      origin: `http://127.0.0.1:${front}`,
      scenario: plainGetScenario('/'),
      concurrency: 20,
      requestCount: N,
      timeoutMs: 5000,
      onOutcome: () => {
        if (!reloadAt.has(++done)) return;
        nginx!.kill('SIGHUP');
        hups++;
      },
    });
    expect(hups).toBe(4);
    await waitFor('nginx to log its reloads', () => (reconfigurations() >= 4 ? true : undefined));
    expect(s.errors).toBe(0);
    expect(s.errorsByKind).toEqual({});
    expect(s.completed).toBe(N);
    expect(s.ok).toBe(N);
    expect(s.byStatus).toEqual({ '200': N });
    // Each reload makes the old workers close their kept-alive connections, some just as a GET was sent on them
    // (about ten per reload here): those are retries, and none of them became an error.
    expect(s.retries).toBeGreaterThan(0);
    // A retried request never reached the upstream the first time: nginx passed on exactly N.
    expect(upstream.seen()).toBe(N);
  });
});
