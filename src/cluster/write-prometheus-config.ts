import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { httpUrl } from '../common/http-url.js';
import { readAsset } from '../common/locate-assets.js';
import { parseDuration } from '../common/parse-duration.js';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { ensureCredentials } from '../config/ensure-credentials.js';
import { registryUrlOf } from '../config/cluster-urls.js';
import { stateLayout, type PrometheusPaths } from '../config/state-layout.js';
import { PROMETHEUS_TARGETS_PATH } from '../registry/serve-targets-for-prometheus.js';

/** The templates Prometheus' files are rendered from (the only place Prometheus syntax lives). */
export const PROMETHEUS_CONFIG_TEMPLATE = 'templates/prometheus.yml.hbs';
export const PROMETHEUS_RULES_TEMPLATE = 'templates/prometheus-rules.yml.hbs';

/** The shortest rate window of the recording rules. */
const MIN_RATE_WINDOW_MS = 15_000;

const handlebars = Handlebars.create();
handlebars.registerHelper('json', (value: unknown) => JSON.stringify(value));

/** A duration as Prometheus writes it: whole seconds when it is, milliseconds otherwise. */
export function prometheusDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** `host:port` as a scrape target (IPv6 literals in brackets). */
const address = (host: string, port: number): string => new URL(httpUrl(host, port)).host;

/** Writes `text` to `file` mode 0600 from the moment it exists, renamed into place so a reader never sees half of it. */
function writePrivate(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** The rate window of the recording rules: four scrape intervals, at least 15 s. */
export function ruleWindowMs(cluster: ClusterConfig): number {
  return Math.max(MIN_RATE_WINDOW_MS, 4 * parseDuration(cluster.prometheus.scrapeInterval, 'prometheus.scrapeInterval'));
}

/** The text of prometheus.yml for a cluster: the registry's service discovery, the registry, itself, the rules file. */
export function renderPrometheusConfig(cluster: ClusterConfig, paths: PrometheusPaths, template = readAsset(PROMETHEUS_CONFIG_TEMPLATE)): string {
  const interval = prometheusDuration(parseDuration(cluster.prometheus.scrapeInterval, 'prometheus.scrapeInterval'));
  return handlebars.compile(template, { noEscape: true, strict: true })({
    scrapeInterval: interval,
    scrapeTimeout: interval,
    refreshInterval: interval,
    rulesFile: paths.rules,
    targetsUrl: `${registryUrlOf(cluster)}${PROMETHEUS_TARGETS_PATH}`,
    sdTokenFile: paths.sdToken,
    registryAddress: address(cluster.host, cluster.iscs.port),
    selfAddress: address(cluster.host, cluster.prometheus.port),
  });
}

/** The text of the recording rules for a cluster (their rate window follows the scrape interval). */
export function renderPrometheusRules(cluster: ClusterConfig, template = readAsset(PROMETHEUS_RULES_TEMPLATE)): string {
  return handlebars.compile(template, { noEscape: true, strict: true })({ window: prometheusDuration(ruleWindowMs(cluster)) });
}

/**
 * Writes everything Prometheus reads at start under `<stateDir>/prometheus/`: prometheus.yml, rules.yml and the
 * cluster token it shows the registry (`sd-token`, mode 0600, so the token is on no command line or config). Returns the paths.
 */
export function writePrometheusConfig(cluster: ClusterConfig): PrometheusPaths {
  const paths = stateLayout(cluster.stateDir).prometheus;
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  writePrivate(paths.sdToken, ensureCredentials(cluster.stateDir).clusterToken);
  writePrivate(paths.rules, renderPrometheusRules(cluster));
  writePrivate(paths.config, renderPrometheusConfig(cluster, paths));
  return paths;
}
