import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { parse, parseAllDocuments } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { ecom, runEcom } from '../helpers/run-ecom-cli.js';

const VERSION = (JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;

/** A cluster file with two product instances limited to half a core and 256 MiB. */
function clusterFile(dir: string): string {
  const file = join(dir, 'cluster.json');
  writeFileSync(
    file,
    JSON.stringify({
      gateway: { port: 18080 },
      docker: { subnet: '198.18.77.0/24' },
      services: {
        product: {
          instances: [
            { id: 1, port: 15001 },
            { id: 2, port: 15002 },
          ],
          cpus: 0.5,
          memory: '256m',
        },
      },
    }),
  );
  return file;
}

describe('ecom export compose / k8s', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('compose: one container per instance, the init first, only the gateway published on 127.0.0.1, limits and subnet from the cluster file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-export-'));
    const file = clusterFile(dir);
    const out = join(dir, 'docker-compose.yml');
    await ecom('export', 'compose', '-c', file, '-o', out);
    // docker-compose v1 reads YAML 1.1, where an unquoted yes is a boolean: parse it that way.
    const doc = parse(readFileSync(out, 'utf8'), { version: '1.1' }) as {
      version: string;
      services: Record<
        string,
        { image: string; command: unknown[]; ports?: string[]; cpus?: number; mem_limit?: string; depends_on?: object; volumes: string[] }
      >;
      networks: { ecom: { ipam: { config: Array<{ subnet: string }> } } };
    };
    expect(doc.version).toBe('2.4');
    expect(Object.keys(doc.services).sort()).toEqual(['gateway', 'init', 'iscs', 'logger-4', 'order-5', 'product-1', 'product-2', 'redis', 'user-3']);
    for (const svc of Object.values(doc.services)) {
      expect(svc.image).toMatch(new RegExp(`^ecom-(app|nginx|redis):${VERSION.replaceAll('.', '\\.')}$`));
      for (const arg of svc.command) expect(typeof arg).toBe('string');
      expect(svc.volumes).toContain('./cluster.json:/etc/ecom/config.json:ro');
    }
    const published = Object.entries(doc.services).filter(([, s]) => s.ports);
    expect(published).toEqual([['gateway', expect.objectContaining({ ports: ['127.0.0.1:18080:18080'] })]]);
    expect(doc.services['product-2']).toMatchObject({ cpus: 0.5, mem_limit: '256m', depends_on: { init: { condition: 'service_completed_successfully' } } });
    expect(doc.services['product-2']!.command).toEqual(expect.arrayContaining(['service', 'start', 'product', '--id', '2', '--port', '15002']));
    expect(doc.networks.ecom.ipam.config[0]!.subnet).toBe('198.18.77.0/24');

    // docker-compose v1 itself accepts the file (its schema and interpolation; no engine needed), and would refuse a broken one.
    const compose = (path: string) => spawnSync('docker-compose', ['-f', path, 'config', '-q'], { encoding: 'utf8', timeout: 60_000 });
    const checked = compose(out);
    if (checked.error) {
      console.warn(`docker-compose is not installed (scripts/install-system-deps.sh installs it): the file was not given to it`);
      return;
    }
    expect(checked.status, checked.stderr).toBe(0);
    const broken = join(dir, 'broken.yml');
    writeFileSync(broken, readFileSync(out, 'utf8').replace('services:', 'services:\n  bad:\n    imagee: x'));
    expect(compose(broken).status).not.toBe(0);
  });

  it('k8s: every object validates against the Kubernetes schemas (kubernetes-models), and a broken one would not', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-export-'));
    await ecom('export', 'k8s', '-c', clusterFile(dir), '-o', join(dir, 'k8s'));
    const docs = parseAllDocuments(readFileSync(join(dir, 'k8s', 'ecom.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    const kinds = docs.map((d) => `${d.kind}/${d.metadata.name}`).sort();
    expect(kinds).toEqual(
      [
        'ConfigMap/ecom-config',
        ...['gateway', 'iscs', 'logger-4', 'order-5', 'product-1', 'product-2', 'redis', 'user-3'].map((n) => `Deployment/ecom-${n}`),
        'Service/gateway',
        'Service/iscs',
        'Service/redis',
      ].sort(),
    );
    const models = { ConfigMap, Service, Deployment } as const;
    for (const d of docs) new models[d.kind as keyof typeof models](d as never).validate();
    const product = docs.find((d) => d.metadata.name === 'ecom-product-1') as unknown as {
      spec: { template: { spec: { containers: Array<{ resources: unknown }> } } };
    };
    expect(product.spec.template.spec.containers[0]!.resources).toEqual({ limits: { cpu: '0.5', memory: '256Mi' } });
    const broken = structuredClone(product) as unknown as { spec: { replicas: unknown } };
    broken.spec.replicas = 'two';
    expect(() => new Deployment(broken as never).validate()).toThrow();
    expect(readFileSync(join(dir, 'k8s', 'kustomization.yaml'), 'utf8')).toContain('ecom.yaml');
  });

  it('refuses without a cluster file (the stack mounts it)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-export-'));
    const result = await runEcom(['export', 'compose', '-c', join(dir, 'missing.json')]);
    expect(result.code).toBe(2);
  });
});
