import type { Command } from 'commander';
import { readBuildInfo } from '../common/describe-build.js';
import { clusterFrom, withClusterFile } from './cluster-options.js';

/** `ecom image build [--base IMAGE]`: the cluster's images, built locally on its engine without any registry. */
export function registerImageCommand(program: Command): void {
  const image = program.command('image').description('container images for `runtime: docker`, swarm and compose');
  withClusterFile(image.command('build'))
    .description('build the ecom-app, ecom-nginx and ecom-redis images on the engine (no registry); unchanged inputs are not built again')
    .option('--base <image>', 'build on this image (already on the engine) instead of an empty one')
    .option('--json', 'print the tags and what was built as JSON')
    .action(async (opts: { config: string; base?: string; json?: boolean }) => {
      const { cluster } = clusterFrom(opts);
      const [{ connectDocker }, { locateAppBinary }, { ensureImages }] = await Promise.all([
        import('../runtime/docker/connect-docker.js'),
        import('../runtime/docker/locate-app-binary.js'),
        import('../runtime/docker/build-images.js'),
      ]);
      const say = (line: string): void => {
        if (!opts.json) process.stdout.write(`  ${line}\n`);
      };
      const { docker } = await connectDocker(cluster.docker.socket);
      const appBinary = await locateAppBinary({ build: true, onProgress: say });
      const result = await ensureImages({ docker, version: readBuildInfo().version, appBinary, base: opts.base, build: true, onProgress: say });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      for (const [kind, tag] of Object.entries(result.tags)) {
        process.stdout.write(`${tag.padEnd(36)} ${result.built.includes(kind as never) ? 'built' : 'up to date'}\n`);
      }
    });
}
