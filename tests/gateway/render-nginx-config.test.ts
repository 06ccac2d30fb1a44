import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadClusterFile } from '../../src/config/load-cluster-file.js';
import { prepareNginxPrefix, validateNginxConfig } from '../../src/gateway/control-nginx.js';
import { stateLayout } from '../../src/config/state-layout.js';
import { compileNginxTemplate } from '../../src/gateway/render-nginx-config.js';

const nginxPaths = (stateDir: string) => stateLayout(stateDir).nginx;

const at = (id: number, port: number) => ({ id, host: '127.0.0.1', port, registeredAt: '', lastHeartbeat: '' });

describe('rendering nginx.conf from registrations', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const cluster = (extra: object = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'ecom-render-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ stateDir: 'state', gateway: { port: 18123, endpoints: 'reload' }, ...extra }));
    return loadClusterFile(join(dir, 'config.json'), {});
  };

  it('lists upstream servers in id order with the configured balancing, and validates with nginx -t', async () => {
    const c = cluster();
    const text = compileNginxTemplate()(c, { index: 7, services: { product: [at(2, 5002), at(1, 5001)], user: [at(3, 5003)] } });
    const upstream = /upstream ecom_product \{([^}]*)\}/.exec(text)![1]!;
    expect(upstream).toContain('least_conn;');
    expect(upstream.indexOf('127.0.0.1:5001')).toBeLessThan(upstream.indexOf('127.0.0.1:5002'));
    expect(text).toContain('listen 127.0.0.1:18123');
    expect(text).toMatch(/no_instances[^\n]*no order instance/);
    const paths = nginxPaths(c.stateDir);
    prepareNginxPrefix(paths);
    writeFileSync(paths.config, text);
    expect(await validateNginxConfig(paths, paths.config)).toBeUndefined();
  });

  it('renders a valid config with no instance at all, and honours ip_hash and round_robin', async () => {
    const empty = cluster();
    const text = compileNginxTemplate()(empty, { index: 0, services: {} });
    expect(text).not.toContain('upstream ecom_');
    const paths = nginxPaths(empty.stateDir);
    prepareNginxPrefix(paths);
    writeFileSync(paths.config, text);
    expect(await validateNginxConfig(paths, paths.config)).toBeUndefined();
    const ipHash = compileNginxTemplate()(cluster({ gateway: { port: 18124, balance: 'ip_hash', endpoints: 'reload' } }), {
      index: 1,
      services: { order: [at(5, 5005)] },
    });
    expect(/upstream ecom_order \{([^}]*)\}/.exec(ipHash)![1]).toContain('ip_hash;');
    const rr = compileNginxTemplate()(cluster({ gateway: { port: 18125, balance: 'round_robin', endpoints: 'reload' } }), {
      index: 1,
      services: { order: [at(5, 5005)] },
    });
    expect(/upstream ecom_order \{([^}]*)\}/.exec(rr)![1]).not.toMatch(/least_conn|ip_hash/);
  });

  it('reports what nginx -t rejects', async () => {
    const c = cluster();
    const paths = nginxPaths(c.stateDir);
    prepareNginxPrefix(paths);
    writeFileSync(paths.config, 'events {}\nhttp { bogus_directive on; }\n');
    expect(await validateNginxConfig(paths, paths.config)).toContain('bogus_directive');
  });
});
