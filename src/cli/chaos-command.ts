import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EcomError } from '../common/ecom-error.js';
import { CHAOS_DEFAULTS, type ChaosFlags } from '../chaos/plan-chaos.js';
import type { LoadSnapshot } from '../overload/load-snapshot.js';
import { clusterFrom, withClusterFile } from './cluster-options.js';
import { parseIntegerOption } from './parse-options.js';

/** `ecom chaos`: open-model load plus faults on a seeded schedule, then the invariants checked. */
export function registerChaosCommand(program: Command): void {
  withClusterFile(program.command('chaos'))
    .description('load the running cluster while injecting faults on a seeded schedule, then check that nothing was lost (exit 99 when an invariant broke)')
    .option('--duration <d>', 'how long the load runs', CHAOS_DEFAULTS.duration)
    .option('--rate <r>', 'requests per second (open model)', (v) => parseIntegerOption(v, '--rate', 1, 100_000), CHAOS_DEFAULTS.rate)
    .option('--scenario <name>', 'product | browse | checkout | mix', CHAOS_DEFAULTS.scenario)
    .option('--every <d>', 'time between two faults', CHAOS_DEFAULTS.every)
    .option('--seed <n>', 'fixes the schedule and the targets (default: random, printed)', (v) => parseIntegerOption(v, '--seed', 1, 2 ** 31))
    .option('--faults <list>', 'comma-separated fault kinds', CHAOS_DEFAULTS.faults)
    .option('--concurrency <c>', 'connections / virtual users', (v) => parseIntegerOption(v, '--concurrency', 1, 10_000), CHAOS_DEFAULTS.concurrency)
    .option('--timeout <d>', 'per-request timeout', CHAOS_DEFAULTS.timeout)
    .option('--settle <d>', 'how long to wait after the load for the cluster to settle before checking', CHAOS_DEFAULTS.settle)
    .option('--json <file>', 'write the chaos report to FILE ("-" for stdout)')
    .option('--html <file>', 'write a self-contained HTML report with charts and fault markers to FILE')
    .option('--junit <file>', 'write each invariant as a JUnit test case to FILE')
    .action(async (opts: ChaosFlags & { config: string; json?: string; html?: string; junit?: string }) => {
      const { planChaos } = await import('../chaos/plan-chaos.js');
      const plan = planChaos(opts);
      const { cluster } = clusterFrom(opts);
      const [{ runChaos }, { formatChaosReport, formatFault }, { formatProgressLine }] = await Promise.all([
        import('../chaos/run-chaos.js'),
        import('../chaos/format-chaos-report.js'),
        import('../overload/format-load-text.js'),
      ]);
      const out = opts.json === '-' ? process.stderr : process.stdout;
      const abort = new AbortController();
      const onSigint = (): void => abort.abort();
      process.once('SIGINT', onSigint);
      const notes: string[] = [];
      let snapshot: LoadSnapshot | undefined;
      let draw: () => void = () => undefined;
      let finish: () => void = () => undefined;
      if (out.isTTY === true) {
        const [{ render }, { createElement }, { LoadDashboard }] = await Promise.all([import('ink'), import('react'), import('../overload/load-dashboard.js')]);
        const view = render(createElement(LoadDashboard, { snapshot, notes }), {
          stdout: out as NodeJS.WriteStream,
          exitOnCtrlC: false,
          patchConsole: false,
        });
        draw = () => view.rerender(createElement(LoadDashboard, { snapshot, notes: [...notes] }));
        finish = () => view.unmount();
      }
      const say = (line: string): void => {
        if (out.isTTY === true) {
          notes.push(line);
          draw();
        } else out.write(`${line}\n`);
      };
      try {
        const report = await runChaos(
          cluster,
          plan,
          {
            onSnapshot(s) {
              snapshot = s;
              if (out.isTTY === true) draw();
              else if (!s.final) out.write(`${formatProgressLine(s)}\n`);
            },
            onFault: (f) => say(`fault ${formatFault(f)}`),
            onPhase: say,
          },
          abort.signal,
        );
        finish();
        out.write(formatChaosReport(report));
        if (opts.json) {
          const text = `${JSON.stringify(report, null, 2)}\n`;
          if (opts.json === '-') process.stdout.write(text);
          else writeFileSync(opts.json, text);
        }
        if (opts.html || opts.junit) {
          const { writeChaosReports } = await import('../chaos/write-chaos-reports.js');
          writeChaosReports({ html: opts.html, junit: opts.junit }, report);
        }
        if (abort.signal.aborted) throw new EcomError('interrupted', 'chaos run interrupted');
        const broken = report.invariants.filter((i) => !i.ok);
        if (broken.length) throw new EcomError('invariants_broken', `invariants broken: ${broken.map((i) => i.name).join(', ')}`);
      } finally {
        finish();
        process.off('SIGINT', onSigint);
      }
    });
}
