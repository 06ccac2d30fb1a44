import type { Command } from 'commander';
import { callControl } from '../cluster/call-control.js';
import { SERVICE_KINDS, type ServiceKind } from '../config/defaults.js';
import { UsageError } from '../common/ecom-error.js';
import { clusterFrom, withClusterFile } from './cluster-options.js';

/** `ecom restart SERVICE [--rolling]`. */
export function registerRestartCommand(program: Command): void {
  withClusterFile(program.command('restart'))
    .description('restart the instances of a service; --rolling replaces them one at a time with no failed request')
    .argument('<service>', SERVICE_KINDS.join(' | '))
    .option('--rolling', 'one at a time: each replacement healthy and routed before the old one drains and stops')
    .option('--json', 'print the restarted instances as JSON')
    .action(async (service: string, opts: { config: string; rolling?: boolean; json?: boolean }) => {
      if (!(SERVICE_KINDS as readonly string[]).includes(service)) {
        throw new UsageError('unknown_service', `unknown service "${service}": expected one of ${SERVICE_KINDS.join(', ')}`);
      }
      const { socket } = clusterFrom(opts);
      const result = await callControl<{ restarted: string[] }>(
        socket,
        { cmd: 'restart', service: service as ServiceKind, rolling: opts.rolling === true },
        (line) => {
          if (!opts.json) process.stdout.write(`  ${line}\n`);
        },
      );
      process.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : `restarted ${result.restarted.join(', ') || 'nothing'}\n`);
    });
}
