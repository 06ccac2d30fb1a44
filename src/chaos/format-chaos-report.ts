import type { InjectedFault } from './inject-fault.js';
import type { ChaosReport } from './run-chaos.js';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/** One line per fault, as it happens: `  3.0s kill-instance product-2`. */
export function formatFault(f: InjectedFault): string {
  return f.skipped ? `${seconds(f.atMs).padStart(6)} ${f.kind} skipped: ${f.skipped}` : `${seconds(f.atMs).padStart(6)} ${f.kind} ${f.target}`;
}

/** The end of a chaos run in plain text: the load in one line, each invariant, and the first failed requests. */
export function formatChaosReport(r: ChaosReport): string {
  const lines = [
    '',
    `chaos ${r.ok ? 'passed' : 'FAILED'} · seed ${r.seed} · ${r.faults.filter((f) => !f.skipped).length} faults · ${r.load.requests} requests (${r.load.retries} retried) · p99 ${r.load.latencyMs.p99} ms · max ${r.load.latencyMs.max} ms`,
  ];
  const width = Math.max(...r.invariants.map((i) => i.name.length));
  for (const inv of r.invariants) lines.push(`  ${inv.ok ? '✓' : '✗'} ${inv.name.padEnd(width)}  ${inv.detail}`);
  if (r.failures.length) {
    lines.push('  failed requests (first 10):');
    for (const f of r.failures.slice(0, 10))
      lines.push(`    ${seconds(f.atMs).padStart(6)} ${f.method} ${f.path} ${f.error}${f.fault ? ` during ${f.fault}` : ''}`);
  }
  for (const inv of r.invariants.filter((i) => !i.ok && i.name !== 'failed requests')) {
    for (const item of (inv.items ?? []).slice(0, 10)) lines.push(`    ${inv.name}: ${typeof item === 'string' ? item : JSON.stringify(item)}`);
  }
  return `${lines.join('\n')}\n`;
}
