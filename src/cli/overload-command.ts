import type { Command } from 'commander';
import { LOAD_WORKERS } from '../config/defaults.js';
import { loadClusterFile } from '../config/load-cluster-file.js';
import { EcomError } from '../common/ecom-error.js';
import type { LoadSnapshot } from '../overload/load-snapshot.js';
import { planOverload, type OverloadFlags } from '../overload/run-overload.js';
import { SCENARIOS } from '../overload/build-scenario.js';
import { withClusterFile } from './cluster-options.js';
import { parseIntegerOption } from './parse-options.js';

/** `ecom overload --request_count N [...]`: the load test, with a live dashboard on a terminal. */
export function registerOverloadCommand(program: Command): void {
  withClusterFile(program.command('overload'))
    .description('load-test the cluster (or any --target URL): live dashboard on a terminal, a line per second otherwise, JSON report, CI thresholds')
    .option('-n, --request_count <n>', 'closed model: send exactly N requests (default 1000)', (v) => parseIntegerOption(v, '--request_count', 1))
    .option('--concurrency <c>', 'connections / virtual users', (v) => parseIntegerOption(v, '--concurrency', 1, 10_000), 50)
    .option('--rate <r>', 'open model: requests per second, sent on schedule whatever the server does', (v) => parseIntegerOption(v, '--rate', 1, 1_000_000))
    .option('--duration <d>', 'open model: how long, e.g. 30s or 2m')
    .option('--scenario <name>', `${SCENARIOS.join(' | ')} (default product)`)
    .option('--target <url>', 'load-test any URL (plain GETs unless shaped by the flags below) instead of the cluster gateway')
    .option('-X, --method <method>', '--target: the request method (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS)')
    .option('-H, --header <header>', '--target: an extra request header "Name: value" (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--body <text>', '--target: the request body')
    .option('--body-file <file>', '--target: the request body, read from FILE')
    .option(
      '--threshold <expr>',
      'fail with exit 99 unless it holds, e.g. "p99<50", "errors<1%", "rps>1000" (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--users <n>', 'checkout and mix: accounts signed in once and shared by the virtual users (seed users reused)', (v) =>
      parseIntegerOption(v, '--users', 1, 100_000),
    )
    .option(
      '--workers <n>',
      'threads sending the load, each with its share of the connections (default: half the cores for a target on this machine, else all but one; at most 4)',
      (v) => parseIntegerOption(v, '--workers', 1, LOAD_WORKERS.limit),
    )
    .option('--json <file>', 'write the JSON report to FILE ("-" for stdout)')
    .option('--html <file>', 'write a self-contained HTML report with charts to FILE')
    .option('--junit <file>', 'write each threshold as a JUnit test case to FILE')
    .option('--timeout <d>', 'per-request timeout', '10s')
    .action(async (opts: { config: string; request_count?: number } & Omit<OverloadFlags, 'requestCount'>) => {
      let progress: (line: string) => void = () => undefined;
      const flags: OverloadFlags = { ...opts, requestCount: opts.request_count, onProgress: (line) => progress(line) };
      const cluster = opts.target ? undefined : loadClusterFile(opts.config);
      const plan = planOverload(flags, cluster);
      const out = flags.json === '-' ? process.stderr : process.stdout;
      const abort = new AbortController();
      const onSigint = (): void => abort.abort();
      process.once('SIGINT', onSigint);
      // A terminal that reports no width (a pty whose size was never set) would get a dashboard one character wide.
      const tty = out.isTTY === true && ((out as NodeJS.WriteStream).columns ?? 0) > 0;
      let draw: (s: LoadSnapshot | undefined, thresholds?: Array<{ expr: string; ok: boolean; actual: number }>) => void;
      let finish: () => void = () => undefined;
      if (tty) {
        const [{ render }, { createElement }, { LoadDashboard }] = await Promise.all([import('ink'), import('react'), import('../overload/load-dashboard.js')]);
        const view = render(createElement(LoadDashboard, { snapshot: undefined }), {
          stdout: out as NodeJS.WriteStream,
          exitOnCtrlC: false,
          patchConsole: false,
        });
        draw = (snapshot, thresholds) => view.rerender(createElement(LoadDashboard, { snapshot, thresholds }));
        progress = (line) => view.rerender(createElement(LoadDashboard, { snapshot: undefined, preparing: line }));
        finish = () => view.unmount();
      } else {
        const { formatProgressLine } = await import('../overload/format-load-text.js');
        out.write(`overload ${plan.scenarioName} against ${plan.origin}${plan.workers > 1 ? ` (${plan.workers} worker threads)` : ''}\n`);
        progress = (line) => out.write(`${line}\n`);
        draw = (s) => {
          if (s && !s.final) out.write(`${formatProgressLine(s)}\n`);
        };
      }
      try {
        const { final, report } = await plan.run((s) => draw(s), abort.signal, tty);
        draw(final, report.thresholds);
        finish();
        if (!tty) {
          const { formatSummary } = await import('../overload/format-load-text.js');
          out.write(formatSummary(final, report));
        }
        if (abort.signal.aborted) throw new EcomError('interrupted', `interrupted after ${report.requests} requests`);
        const crossed = report.thresholds.filter((t) => !t.ok);
        if (crossed.length) {
          throw new EcomError('thresholds_crossed', `thresholds crossed: ${crossed.map((t) => `${t.expr} (actual ${t.actual})`).join(', ')}`);
        }
      } finally {
        finish();
        process.off('SIGINT', onSigint);
      }
    });
}
