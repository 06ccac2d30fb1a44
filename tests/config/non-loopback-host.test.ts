import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isClusterPeerHost, isLoopbackHost } from '../../src/config/cluster-hosts.js';
import { loadClusterFile } from '../../src/config/load-cluster-file.js';
import { runEcom } from '../helpers/run-ecom-cli.js';

describe('a cluster host that is not a loopback address', () => {
  let dir: string;
  const write = (content: unknown): string => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ stateDir: 'state', ...(content as object) }));
    return file;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-host-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['0.0.0.0', '::', '192.0.2.10', 'shop.example'])('%s is refused unless exposeNonLoopback is set, naming the field', (host) => {
    expect(() => loadClusterFile(write({ host }), {})).toThrow(/host: .* is not a loopback address .*set exposeNonLoopback: true/);
    expect(loadClusterFile(write({ host, exposeNonLoopback: true }), {}).host).toBe(host);
  });

  it.each(['127.0.0.1', '127.0.0.5', '::1', 'localhost', '::ffff:127.0.0.1'])('%s is loopback and accepted', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
    const cluster = loadClusterFile(write({ host }), {});
    expect(cluster).toMatchObject({ host, exposeNonLoopback: false });
  });

  it('is refused by the CLI with exit 2 and the field to set, and accepted with the opt-in', async () => {
    const refused = await runEcom(['status', '-c', write({ host: '0.0.0.0' })]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/config\.json: host: "0\.0\.0\.0" is not a loopback address.*exposeNonLoopback: true/);
    const accepted = await runEcom(['status', '-c', write({ host: '0.0.0.0', exposeNonLoopback: true })]);
    expect(accepted.stderr).toMatch(/no cluster runs/);
    expect(accepted.code).toBe(1);
  });

  it('a non-boolean opt-in is refused like any bad field', () => {
    expect(() => loadClusterFile(write({ host: '0.0.0.0', exposeNonLoopback: 'yes' }), {})).toThrow(/exposeNonLoopback: Invalid input: expected boolean/);
  });
});

describe('which listed peers count as the cluster own', () => {
  it('the cluster host and the loopback names; another address, even 127.0.0.2, is not', () => {
    expect(isClusterPeerHost('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(isClusterPeerHost('127.0.0.1', 'localhost')).toBe(true);
    expect(isClusterPeerHost('10.1.2.3', '10.1.2.3')).toBe(true);
    expect(isClusterPeerHost('10.1.2.3', '127.0.0.1')).toBe(true);
    expect(isClusterPeerHost('127.0.0.1', '127.0.0.2')).toBe(false);
    expect(isClusterPeerHost('127.0.0.1', '198.51.100.7')).toBe(false);
  });
});
