import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Router } from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/kit/create-logger.js';
import { createMetrics } from '../../src/kit/create-metrics.js';
import { createServiceApp } from '../../src/kit/create-service-app.js';
import { startHttpServer, type HttpServerHandle } from '../../src/kit/start-http-server.js';

describe('a service app whose route meets another connection’s SQLite lock', () => {
  let dir: string;
  let holder: Database.Database;
  let db: Database.Database;
  let server: HttpServerHandle | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-app-busy-'));
    holder = new Database(join(dir, 'x.db'));
    holder.pragma('journal_mode = WAL');
    holder.exec('CREATE TABLE t (v INTEGER)');
    db = new Database(join(dir, 'x.db'), { timeout: 0 });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    db.close();
    holder.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 database_busy with Retry-After (the gateway moves a GET on), and 500 for any other failure', async () => {
    const routes = Router();
    routes.get('/write', (_req, res) => {
      db.prepare('INSERT INTO t (v) VALUES (1)').run();
      res.json({ ok: true });
    });
    routes.get('/broken', () => {
      throw new Error('a bug');
    });
    const app = createServiceApp({
      instanceId: 'product-1',
      bodyLimitBytes: 1024,
      metrics: createMetrics({ service: 'product', instance_id: 'product-1' }),
      log: createLogger({ service: 'product', instance: 'product-1', level: 'error', sink: () => undefined }),
      health: () => ({}),
      routes,
    });
    server = await startHttpServer(app, { host: '127.0.0.1', port: 0, graceMs: 100 });
    const url = `http://127.0.0.1:${server.port}`;

    holder.exec('BEGIN IMMEDIATE; INSERT INTO t (v) VALUES (0)');
    const busy = await fetch(`${url}/write`);
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(((await busy.json()) as { error: { code: string } }).error.code).toBe('database_busy');
    holder.exec('COMMIT');
    expect((await fetch(`${url}/write`)).status).toBe(200);

    const broken = await fetch(`${url}/broken`);
    expect(broken.status).toBe(500);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe('internal_error');
  });
});
