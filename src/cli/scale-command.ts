import type { Command } from 'commander';
import { callControl } from '../cluster/call-control.js';
import { SERVICE_KINDS, type ServiceKind } from '../config/defaults.js';
import { UsageError } from '../common/ecom-error.js';
import { clusterFrom, withClusterFile } from './cluster-options.js';

function parseScale(arg: string): { service: ServiceKind; count: number } {
  const match = /^([a-z]+)=(\d+)$/.exec(arg);
  if (!match || !(SERVICE_KINDS as readonly string[]).includes(match[1]!)) {
    throw new UsageError('invalid_scale', `"${arg}": expected SERVICE=N with SERVICE one of ${SERVICE_KINDS.join(', ')}`);
  }
  const count = Number(match[2]);
  if (count > 64) throw new UsageError('invalid_scale', `"${arg}": at most 64 instances`);
  return { service: match[1] as ServiceKind, count };
}

/** `ecom scale SERVICE=N ...`: change instance counts live. */
export function registerScaleCommand(program: Command): void {
  withClusterFile(program.command('scale'))
    .description('change instance counts live (new instances get free ids and ports; nginx follows; removed ones drain first)')
    .argument('<SERVICE=N...>', 'e.g. product=4 order=2')
    .option('--json', 'print what was added and removed as JSON')
    .action(async (targets: string[], opts: { config: string; json?: boolean }) => {
      const wanted = targets.map(parseScale);
      const { socket } = clusterFrom(opts);
      const results: Record<string, unknown> = {};
      for (const { service, count } of wanted) {
        results[service] = await callControl(socket, { cmd: 'scale', service, count }, (line) => {
          if (!opts.json) process.stdout.write(`  ${line}\n`);
        });
        if (!opts.json) process.stdout.write(`${service} now has ${count} instance${count === 1 ? '' : 's'}\n`);
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(results)}\n`);
    });
}
