import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { loadClusterFile } from '../../src/config/load-cluster-file.js';
import { gatewayMode } from '../../src/gateway/detect-nginx-lua.js';
import { compileNginxTemplate } from '../../src/gateway/render-nginx-config.js';
import { ECOM_BIN } from '../helpers/run-ecom-cli.js';
import { writeClusterFile } from '../helpers/write-cluster-file.js';
import { at } from './serve-test-gateway.js';

const run = promisify(execFile);

describe('with and without nginx Lua module', () => {
  const dirs: string[] = [];
  afterEach(() => {
    delete process.env.ECOM_NGINX_LUA;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const cluster = (gateway: object) => {
    const dir = mkdtempSync(join(tmpdir(), 'ecom-detect-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ stateDir: 'state', gateway: { port: 18126, ...gateway } }));
    return loadClusterFile(join(dir, 'config.json'), {});
  };

  it('auto uses Lua when the module is installed, and falls back to upstream servers in nginx.conf without it', () => {
    const c = cluster({});
    const listing = { index: 4, services: { product: [at(1, 5001)] } };
    expect(gatewayMode(c).kind).toBe('lua');
    expect(compileNginxTemplate()(c, listing)).toContain('balancer_by_lua_block');
    process.env.ECOM_NGINX_LUA = 'off';
    expect(gatewayMode(c)).toMatchObject({ kind: 'reload', reason: expect.stringContaining('not installed') });
    const text = compileNginxTemplate()(c, listing);
    expect(text).toContain('server 127.0.0.1:5001 max_fails=1');
    expect(text).not.toContain('lua');
    expect(() => gatewayMode(cluster({ endpoints: 'lua' }))).toThrow(/Lua module/);
  });

  it('the docker runtime uses the Lua balancer too when the host has it (its nginx image carries the modules and libraries)', () => {
    const c = { ...cluster({}), runtime: 'docker' as const };
    expect(gatewayMode(c)).toEqual(gatewayMode(cluster({})));
  });

  it('ecom doctor says which mode the gateway will run in, and the fallback is not a failure', async () => {
    const files = await writeClusterFile();
    dirs.push(files.dir);
    const doctor = async (env: NodeJS.ProcessEnv) => {
      const res = await run(process.execPath, [ECOM_BIN, 'doctor', '--json', '-c', files.file], { env: { ...process.env, ...env } }).catch(
        (err: { stdout: string }) => err,
      );
      return (JSON.parse(res.stdout) as { checks: Array<{ name: string; ok: boolean; detail: string; fix?: string }> }).checks.find(
        (c) => c.name === 'nginx lua',
      );
    };
    expect(await doctor({})).toMatchObject({ ok: true, detail: expect.stringContaining('without reloads') });
    const fallback = await doctor({ ECOM_NGINX_LUA: 'off' });
    expect(fallback).toMatchObject({ ok: true, detail: expect.stringContaining('falling back to render-and-reload') });
    expect(fallback?.fix).toContain('libnginx-mod-http-lua');
  });
});
