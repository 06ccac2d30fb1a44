import type { Command } from 'commander';
import { seedCluster } from '../cluster/seed-cluster.js';
import { clusterFrom, withClusterFile } from './cluster-options.js';
import { parseIntegerOption } from './parse-options.js';

/** `ecom seed [--products N] [--users N]`. */
export function registerSeedCommand(program: Command): void {
  withClusterFile(program.command('seed'))
    .description('load a sample catalogue (bulk import) and users (through the gateway) into the running cluster')
    .option('--products <n>', 'products to create', (v) => parseIntegerOption(v, '--products', 0, 1_000_000), 100)
    .option('--users <n>', 'users to register (seed-user-<n>@ecom.local, password "seed-password")', (v) => parseIntegerOption(v, '--users', 0, 10_000), 10)
    .option('--json', 'print the result as JSON')
    .action(async (opts: { config: string; products: number; users: number; json?: boolean }) => {
      const { cluster } = clusterFrom(opts);
      const result = await seedCluster(cluster, opts, (line) => {
        if (!opts.json) process.stdout.write(`  ${line}\n`);
      });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      const { products, users } = result;
      process.stdout.write(
        `seeded ${products.created} products${products.firstId === null ? '' : ` (ids ${products.firstId}..${products.lastId})`}, ` +
          `${users.created} users (${users.existing} existed); user password: ${users.password}\n`,
      );
    });
}
