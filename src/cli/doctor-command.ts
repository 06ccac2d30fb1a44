import type { Command } from 'commander';
import { isDaemonRunning } from '../cluster/call-control.js';
import { checkCpuWeights } from '../cluster/check-cpu-weights.js';
import { checkPreflight } from '../cluster/check-preflight.js';
import { EcomError } from '../common/ecom-error.js';
import { describeGatewayMode } from '../gateway/detect-nginx-lua.js';
import { clusterFrom, withClusterFile } from './cluster-options.js';

/** `ecom doctor`: what is missing or in the way, and exactly how to fix it. */
export function registerDoctorCommand(program: Command): void {
  withClusterFile(program.command('doctor'))
    .description('check node, nginx, redis-server, free ports and the state dir; say exactly what to install or change')
    .option('--json', 'print the checks as JSON')
    .action(async (opts: { config: string; json?: boolean }) => {
      const { cluster, socket } = clusterFrom(opts);
      const running = await isDaemonRunning(socket);
      const checks = [...(await checkPreflight(cluster, { ports: !running })), describeGatewayMode(cluster), checkCpuWeights(cluster)];
      const { checkDockerEngine } = await import('../runtime/docker/check-docker-engine.js');
      checks.push(await checkDockerEngine(cluster));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ clusterRunning: running, checks })}\n`);
      } else {
        for (const c of checks) process.stdout.write(`${c.ok ? '✓' : '✗'} ${c.name.padEnd(12)} ${c.detail}${c.fix ? `\n    fix: ${c.fix}` : ''}\n`);
        if (running) process.stdout.write(`✓ cluster      running for ${cluster.stateDir} (ports in use by it; not checked)\n`);
      }
      const failed = checks.filter((c) => !c.ok).length;
      if (failed) throw new EcomError('doctor_failed', `${failed} check${failed === 1 ? '' : 's'} failed`);
    });
}
