import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callControl } from '../../src/cluster/call-control.js';
import { MAX_CONTROL_REQUEST_BYTES, serveControl, type ControlServer } from '../../src/cluster/serve-control.js';

/** Writes `text` to the socket and collects everything the server answers until it closes the connection. */
const exchange = (socketPath: string, text: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.once('error', reject);
    socket.once('close', () => resolve(answer));
    socket.once('connect', () => socket.write(text));
    setTimeout(() => socket.destroy(new Error('no answer within 5 s')), 5000).unref();
  });

describe('the control socket', () => {
  let dir: string;
  let server: ControlServer | undefined;
  const handled: string[] = [];
  const serve = async (options: { ownerUid?: number } = {}): Promise<string> => {
    const path = join(dir, 'ecom.sock');
    server = await serveControl(
      path,
      async (request) => {
        handled.push(request.cmd);
        return { phase: 'running' };
      },
      options,
    );
    return path;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-ctl-'));
    handled.length = 0;
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('is owner-only (0600) and answers its owner', async () => {
    const path = await serve();
    expect((statSync(path).mode & 0o777).toString(8)).toBe('600');
    expect(await callControl(path, { cmd: 'status' })).toEqual({ phase: 'running' });
  });

  it('answers a request over 64 KiB with an error and closes, without handling it', async () => {
    const path = await serve();
    const answer = await exchange(path, 'x'.repeat(MAX_CONTROL_REQUEST_BYTES + 1024));
    expect(JSON.parse(answer)).toEqual({ ok: false, error: { code: 'bad_request', message: expect.stringContaining('65536 bytes') } });
    expect(handled).toEqual([]);
  });

  it('refuses a peer that runs as another uid than the owner anything but reading the status', async () => {
    const path = await serve({ ownerUid: process.getuid!() + 1 });
    await expect(callControl(path, { cmd: 'down' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(callControl(path, { cmd: 'scale', service: 'product', count: 3 })).rejects.toMatchObject({ code: 'forbidden' });
    expect(handled).toEqual([]);
    expect(await callControl(path, { cmd: 'status' })).toEqual({ phase: 'running' });
    expect(handled).toEqual(['status']);
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a client process of another user even when the socket mode lets it in', async () => {
    const path = await serve();
    chmodSync(dir, 0o755);
    chmodSync(path, 0o666);
    const script = `const s = require('net').connect(${JSON.stringify(path)}); let a = ''; s.on('data', (c) => (a += c)); s.on('close', () => process.stdout.write(a)); s.on('connect', () => s.write('{"cmd":"down"}\\n'));`;
    const child = spawn(process.execPath, ['-e', script], { uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise((resolve) => child.once('close', resolve));
    expect(JSON.parse(out)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(handled).toEqual([]);
  });
});
