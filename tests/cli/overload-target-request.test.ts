import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOverloadCli } from '../helpers/run-overload-cli.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';

describe('ecom overload --target with -X/--method, -H/--header, --body and --body-file', () => {
  let target: HttpTarget | undefined;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-overload-request-'));
  });
  afterEach(async () => {
    await target?.close();
    target = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** A target that records each request's method, chosen headers and body. */
  const recording = async (): Promise<Set<string>> => {
    const seen = new Set<string>();
    target = await startHttpTarget((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        seen.add(JSON.stringify([req.method, req.url, req.headers.authorization, req.headers['content-type'], req.headers['x-run'], body]));
        res.statusCode = req.method === 'POST' ? 201 : 200;
        res.end('{"ok":true}');
      });
    });
    return seen;
  };

  it('sends exactly N of the request as written: method, every header, the body', async () => {
    const seen = await recording();
    const res = await runOverloadCli([
      '--target',
      `${target!.origin}/api/orders?x=1`,
      '-n',
      '200',
      '--concurrency',
      '8',
      '-X',
      'post',
      '-H',
      'Authorization: Bearer abc.def',
      '--header',
      'Content-Type: application/json',
      '-H',
      'X-Run:  7 ',
      '--body',
      '{"items":[{"productId":1,"quantity":1}]}',
      '--json',
      '-',
    ]);
    expect(res.code).toBe(0);
    expect(target!.seen()).toBe(200);
    expect([...seen].map((s) => JSON.parse(s))).toEqual([
      ['POST', '/api/orders?x=1', 'Bearer abc.def', 'application/json', '7', '{"items":[{"productId":1,"quantity":1}]}'],
    ]);
    const report = JSON.parse(res.stdout);
    expect(report.byStatus).toEqual({ '201': 200 });
    expect(report.endpoints.map((e: { name: string }) => e.name)).toEqual(['POST /api/orders']);
  });

  it('reads the body from --body-file, and HEAD answers (a Content-Length, no body) complete', async () => {
    const seen = await recording();
    const file = join(dir, 'body.json');
    writeFileSync(file, '{"name":"from a file"}');
    const put = await runOverloadCli(['--target', target!.origin, '-n', '20', '--concurrency', '2', '-X', 'PUT', '--body-file', file, '--json', '-']);
    expect(put.code).toBe(0);
    expect([...seen].map((s) => JSON.parse(s)[5])).toEqual(['{"name":"from a file"}']);
    const head = await runOverloadCli(['--target', target!.origin, '-n', '30', '--concurrency', '3', '-X', 'HEAD', '--timeout', '5s', '--json', '-']);
    expect(head.code).toBe(0);
    expect(JSON.parse(head.stdout)).toMatchObject({ requests: 30, ok: 30, errors: 0 });
  });

  it.each([
    [['-X', 'BREW'], '--method: expected one of'],
    [['-H', 'no colon here'], 'expected "Name: value"'],
    [['-H', 'Host: elsewhere'], 'Host is set by ecom itself'],
    [['--body', 'x'], 'a GET request carries no body'],
    [['-X', 'POST', '--body', 'x', '--body-file', '/nonexistent'], 'exclude each other'],
    [['-X', 'POST', '--body-file', '/nonexistent/body.json'], '--body-file /nonexistent/body.json: ENOENT'],
  ])('refuses %j before any request, naming the flag (exit 2)', async (flags, message) => {
    target = await startHttpTarget();
    const res = await runOverloadCli(['--target', target.origin, '-n', '5', ...flags]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
    expect(target.seen()).toBe(0);
  });

  it('refuses the request flags without --target: they shape only that request', async () => {
    writeFileSync(join(dir, 'cluster.json'), '{}');
    const res = await runOverloadCli(['-n', '5', '-H', 'X-A: b', '-c', join(dir, 'cluster.json')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('pass --target URL');
  });
});
