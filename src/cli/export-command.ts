import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { UsageError } from '../common/ecom-error.js';
import { readBuildInfo } from '../common/describe-build.js';
import { renderCompose } from '../runtime/docker/render-compose.js';
import { k8sFiles, renderK8s } from '../runtime/docker/render-k8s.js';
import { clusterFrom, withClusterFile } from './cluster-options.js';

/** The cluster file must exist: exported stacks mount it into every container. */
function existingClusterFile(opts: { config: string }): ReturnType<typeof clusterFrom>['cluster'] {
  const { cluster } = clusterFrom(opts);
  if (!existsSync(cluster.configPath)) {
    throw new UsageError('cluster_file_missing', `${opts.config}: no such file; an exported stack mounts the cluster file into its containers`);
  }
  return cluster;
}

/** `ecom export compose [-o FILE]` and `ecom export k8s [-o DIR]`: the cluster for docker-compose and Kubernetes. */
export function registerExportCommand(program: Command): void {
  const exp = program.command('export').description('write the cluster as files for docker-compose or Kubernetes (images: `ecom image build`)');
  withClusterFile(exp.command('compose'))
    .description('a docker-compose.yml (format 2.4: docker-compose v1 and compose v2) running the cluster; the gateway on 127.0.0.1')
    .option('-o, --output <file>', 'write here instead of stdout')
    .action((opts: { config: string; output?: string }) => {
      const cluster = existingClusterFile(opts);
      const base = opts.output ? dirname(resolve(opts.output)) : process.cwd();
      const configFile = relative(base, cluster.configPath);
      const text = renderCompose(cluster, { version: readBuildInfo().version, configFile: configFile.startsWith('.') ? configFile : `./${configFile}` });
      if (!opts.output) return void process.stdout.write(text);
      writeFileSync(opts.output, text);
      process.stdout.write(`wrote ${opts.output}: run it with docker-compose -f ${opts.output} up -d\n`);
    });
  withClusterFile(exp.command('k8s'))
    .description('Kubernetes manifests (ConfigMap, a Deployment per instance, Services for redis, the registry and the gateway)')
    .option('-o, --output <dir>', 'write ecom.yaml and kustomization.yaml into this folder instead of printing the objects')
    .action((opts: { config: string; output?: string }) => {
      const objects = renderK8s(existingClusterFile(opts), { version: readBuildInfo().version });
      if (!opts.output) return void process.stdout.write(objects.map((o) => stringify(o)).join('---\n'));
      mkdirSync(opts.output, { recursive: true });
      for (const [name, text] of Object.entries(k8sFiles(objects))) writeFileSync(join(opts.output, name), text);
      process.stdout.write(`wrote ${objects.length} objects to ${opts.output}: apply with kubectl apply -k ${opts.output}\n`);
    });
}
