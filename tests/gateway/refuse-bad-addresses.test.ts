import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadClusterFile } from '../../src/config/load-cluster-file.js';
import { stateLayout } from '../../src/config/state-layout.js';
import { compileNginxTemplate } from '../../src/gateway/render-nginx-config.js';
import { syncProxy, type ProxySync } from '../../src/gateway/sync-proxy.js';
import { createLogger, type LogEntry } from '../../src/kit/create-logger.js';

const INJECTION = '127.0.0.1:5001 max_fails=1; } server { listen 18999; location / { alias /; autoindex on; } } upstream x { server 127.0.0.1';
const at = (id: number, host: string, port: number) => ({ id, host, port, registeredAt: '', lastHeartbeat: '' });

describe('a listing with a hostile address never reaches nginx.conf', () => {
  const dirs: string[] = [];
  let sync: ProxySync | undefined;
  afterEach(async () => {
    await sync?.close();
    sync = undefined;
    dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
  });
  const cluster = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecom-badaddr-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ stateDir: 'state', gateway: { port: 18124, endpoints: 'reload' } }));
    return loadClusterFile(join(dir, 'config.json'), {});
  };

  it('the renderer refuses it outright', () => {
    const render = compileNginxTemplate();
    expect(() => render(cluster(), { index: 1, services: { product: [at(1, INJECTION, 5001)] } })).toThrow(/invalid address/);
    expect(render(cluster(), { index: 1, services: { product: [at(1, '::1', 5001)] } })).toContain('server [::1]:5001 ');
  });

  it('the proxy sync drops and logs that entry and applies the rest', async () => {
    const c = cluster();
    const logged: LogEntry[] = [];
    const log = createLogger({
      service: 'test',
      instance: 'test',
      level: 'error',
      out: { write: () => true } as unknown as NodeJS.WritableStream,
      sink: (e: LogEntry) => logged.push(e),
    });
    sync = syncProxy({ cluster: c, render: compileNginxTemplate(), log, minWaitMs: 1, maxWaitMs: 5 });
    sync.update({ index: 3, services: { product: [at(1, INJECTION, 5001), at(2, '127.0.0.1', 5002)] } });
    await sync.flush();
    expect(sync.status().appliedIndex).toBe(3);
    const text = readFileSync(stateLayout(c.stateDir).nginx.config, 'utf8');
    expect(text).toContain('server 127.0.0.1:5002 ');
    expect(text).not.toContain('autoindex');
    expect(text).not.toContain('18999');
    expect(logged.some((e) => /invalid address/.test(e.msg))).toBe(true);
  });
});
