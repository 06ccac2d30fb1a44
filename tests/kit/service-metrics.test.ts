import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/api-client.js';
import { startTestCluster, type TestCluster } from '../helpers/start-test-cluster.js';

const run = promisify(execFile);

/** Pipes metrics text into `promtool check metrics`; rejects with promtool's complaint. */
async function promtoolCheck(text: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile('promtool', ['check', 'metrics'], (err, _stdout, stderr) => (err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve()));
    child.stdin!.end(text);
  });
}

describe('metrics of every service kind', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    await run('promtool', ['--version']).catch(() => {
      throw new Error('promtool is required (apt-get install -y prometheus)');
    });
    cluster = await startTestCluster({ logger: 1, user: 1, product: 1, order: 1 });
    const buyer = await cluster.customer();
    await request(cluster.url('product'), 'GET', '/api/products/1');
    await request(cluster.url('order'), 'GET', '/api/orders', { token: buyer.token });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('pass promtool check metrics and count requests by route and status', async () => {
    for (const inst of cluster.instances) {
      const res = await fetch(`${inst.url}/metrics`);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      await promtoolCheck(text);
      expect(text).toMatch(/ecom_http_requests_total\{[^}]*route="[^"]+"[^}]*status="\d{3}"/);
      expect(text).toContain('ecom_http_request_duration_seconds_bucket');
      expect(text).toContain('process_cpu_user_seconds_total');
    }
    const product = await (await fetch(`${cluster.url('product')}/metrics`)).text();
    expect(product).toMatch(/ecom_http_requests_total\{[^}]*method="GET"[^}]*route="\/api\/products\/:id"[^}]*status="404"[^}]*\} [1-9]/);
  });
});
