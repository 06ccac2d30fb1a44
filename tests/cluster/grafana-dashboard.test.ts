import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPrometheusRules } from '../../src/cluster/write-prometheus-config.js';
import { clusterSchema } from '../../src/config/cluster-schema.js';
import { createLogger } from '../../src/kit/create-logger.js';
import { startIscsServer } from '../../src/registry/start-iscs-server.js';
import { useClosing } from '../helpers/use-closing.js';

const DASHBOARD = resolve(import.meta.dirname, '../../templates/grafana/ecom-dashboard.json');
const quiet = createLogger({ service: 'test', instance: 'test', level: 'error', out: { write: () => true } as unknown as NodeJS.WritableStream });

/** PromQL words that are not series names: functions, aggregations and their modifiers. */
const PROMQL_WORDS = new Set(['sum', 'max', 'min', 'avg', 'count', 'rate', 'irate', 'by', 'without', 'histogram_quantile', 'max_over_time', 'label_values']);

/** The series names a PromQL expression (or a `label_values(series, label)` query) reads. */
function seriesNames(expr: string): string[] {
  const bare = expr
    .replace(/label_values\(([^,]+),[^)]*\)/g, '$1')
    .replace(/"[^"]*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without)\s*\([^)]*\)/g, '');
  return [...bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)].map((m) => m[0]).filter((w) => !PROMQL_WORDS.has(w));
}

interface Panel {
  id: number;
  title: string;
  type: string;
  datasource: { uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Array<{ expr: string; refId: string; datasource: { uid: string } }>;
}

describe('the Grafana dashboard', () => {
  const use = useClosing();

  it('finds series names in PromQL, so the check below can fail', () => {
    expect(seriesNames('sum by (service, le) (rate(ecom_http_request_duration_seconds_bucket{job="ecom", a=~"x.+"}[15s]))')).toEqual([
      'ecom_http_request_duration_seconds_bucket',
    ]);
    expect(seriesNames('service:a:rate / service:b:rate')).toEqual(['service:a:rate', 'service:b:rate']);
    expect(seriesNames('label_values(service:a:rate, service)')).toEqual(['service:a:rate']);
  });

  it('is importable JSON that reads only recording rules of the rules file and metrics the processes export', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      title: string;
      uid: string;
      __inputs: Array<{ name: string; type: string; pluginId: string }>;
      panels: Panel[];
      templating: { list: Array<{ definition: string }> };
    };
    expect(dashboard.title).toBe('ecom cluster');
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    for (const p of dashboard.panels) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      expect(p.datasource.uid).toBe('${DS_PROMETHEUS}');
      expect(p.targets.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets) expect(t.datasource.uid).toBe('${DS_PROMETHEUS}');
    }

    const rules = [...renderPrometheusRules(clusterSchema.parse({}) as never).matchAll(/record: (\S+)/g)].map((m) => m[1]!);
    expect(rules.length).toBe(11);
    // What an instance exports: the registry uses the same metrics set-up as every service, plus its own gauges.
    const registry = use(
      await startIscsServer({
        host: '127.0.0.1',
        port: 0,
        ttlMs: 60_000,
        credentials: { clusterToken: 'x'.repeat(20), jwtSecret: 'y'.repeat(40) },
        log: quiet,
      }),
    );
    const text = await (await fetch(`http://127.0.0.1:${registry.port}/metrics`)).text();
    const exported = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
      type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!],
    );
    expect(exported).toEqual(expect.arrayContaining(['process_cpu_seconds_total', 'nodejs_eventloop_lag_p99_seconds', 'ecom_http_requests_total']));
    const known = new Set([...rules, ...exported, 'up']);

    const exprs = [...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)), ...dashboard.templating.list.map((v) => v.definition)];
    const read = exprs.flatMap(seriesNames);
    expect(read.filter((name) => !known.has(name))).toEqual([]);
    // Every recording rule is on the dashboard.
    expect(rules.filter((r) => !read.includes(r))).toEqual([]);
  });
});
