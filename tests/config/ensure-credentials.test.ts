import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureCredentials } from '../../src/config/ensure-credentials.js';

const DIST_MODULE = resolve(import.meta.dirname, '../../dist/config/ensure-credentials.js');
const PASSWORD = /^[A-Za-z0-9_-]{32,}$/;

/** A credentials file as versions before the redis password wrote it, plus a field of someone else's. */
const legacy = {
  admin: { email: 'admin@ecom.local', password: 'old-admin-password' },
  clusterToken: 'old-cluster-token-0123456789',
  jwtSecret: 'old-jwt-secret-0123456789abcdefghijklmnop',
  note: 'kept as it was',
};

/**
 * Starts `n` node processes that load the built module, say they are ready, spin until `go` exists and then call
 * ensureCredentials at the same moment; resolves with the redis password each one got.
 */
async function raceInChildren(stateDir: string, n: number): Promise<string[]> {
  const go = join(stateDir, '..', `${basename(stateDir)}.go`);
  const code = [
    `const { existsSync } = await import('node:fs');`,
    `const m = await import(${JSON.stringify(DIST_MODULE)});`,
    `process.stdout.write('ready\\n');`,
    `while (!existsSync(${JSON.stringify(go)}));`,
    `process.stdout.write(m.ensureCredentials(${JSON.stringify(stateDir)}).redisPassword);`,
  ].join('\n');
  const children = Array.from({ length: n }, () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const ready = new Promise<void>((done) => child.stdout.on('data', (chunk: Buffer) => ((out += chunk.toString()), out.includes('ready\n') && done())));
    const result = new Promise<string>((done, fail) => {
      child.once('error', fail);
      child.once('close', (status) => (status === 0 ? done(out.replace('ready\n', '')) : fail(new Error(`child exited ${status}`))));
    });
    return { ready, result };
  });
  await Promise.all(children.map((c) => c.ready));
  writeFileSync(go, '');
  try {
    return await Promise.all(children.map((c) => c.result));
  } finally {
    rmSync(go, { force: true });
  }
}

describe('credentials.json and the redis password', () => {
  let dir: string;
  const file = (): string => join(dir, 'credentials.json');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-creds-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a redis password with the other secrets, in a file only its owner can read', () => {
    const created = ensureCredentials(dir);
    expect(created.redisPassword).toMatch(PASSWORD);
    expect(new Set([created.redisPassword, created.clusterToken, created.jwtSecret, created.admin.password]).size).toBe(4);
    expect(JSON.parse(readFileSync(file(), 'utf8')).redisPassword).toBe(created.redisPassword);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    expect(ensureCredentials(dir)).toEqual(created);
  });

  it('adds one to a file from an earlier version, keeping every field, mode 0600, nothing left beside it', () => {
    writeFileSync(file(), JSON.stringify(legacy), { mode: 0o600 });
    const upgraded = ensureCredentials(dir);
    expect(upgraded.redisPassword).toMatch(PASSWORD);
    expect(upgraded).toMatchObject({ admin: legacy.admin, clusterToken: legacy.clusterToken, jwtSecret: legacy.jwtSecret });
    expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual({ ...legacy, redisPassword: upgraded.redisPassword });
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['credentials.json']);
    expect(ensureCredentials(dir).redisPassword).toBe(upgraded.redisPassword);
  });

  it('gives every process upgrading the same old file at once the same password', async () => {
    for (let round = 0; round < 3; round++) {
      writeFileSync(file(), JSON.stringify(legacy), { mode: 0o600 });
      const seen = await raceInChildren(dir, 4);
      expect(new Set(seen).size).toBe(1);
      expect(seen[0]).toMatch(PASSWORD);
      expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual({ ...legacy, redisPassword: seen[0] });
      expect(readdirSync(dir)).toEqual(['credentials.json']);
    }
  }, 30_000);

  it('refuses a malformed redis password instead of replacing it', () => {
    writeFileSync(file(), JSON.stringify({ ...legacy, redisPassword: 'short' }), { mode: 0o600 });
    expect(() => ensureCredentials(dir)).toThrow(/missing or malformed fields/);
    expect(JSON.parse(readFileSync(file(), 'utf8')).redisPassword).toBe('short');
  });
});
