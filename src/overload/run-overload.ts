import { writeFileSync } from 'node:fs';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { gatewayUrlOf } from '../config/cluster-urls.js';
import { EcomError, UsageError } from '../common/ecom-error.js';
import { parseFlagDuration } from '../common/parse-duration.js';
import { buildScenario, targetScenario, type ScenarioName } from './build-scenario.js';
import { chooseWorkerCount } from './choose-worker-count.js';
import { parseTargetRequest } from './parse-target-request.js';
import type { LoadReport } from './load-report.js';
import { toReport } from './load-report.js';
import type { LoadSnapshot } from './load-snapshot.js';
import { checkThreshold, parseThreshold } from './parse-threshold.js';

/** Flags of `ecom overload`, as parsed by the CLI. */
export interface OverloadFlags {
  requestCount?: number;
  concurrency: number;
  rate?: number;
  duration?: string;
  scenario?: string;
  target?: string;
  /** `--target` only: the request's method, extra headers (`Name: value`) and body (text, or read from a file). */
  method?: string;
  header?: string[];
  body?: string;
  bodyFile?: string;
  threshold: string[];
  /** Worker threads sending the load (default: chooseWorkerCount, what the machine can spare). */
  workers?: number;
  /** checkout and mix: accounts signed in once and shared by the virtual users. */
  users?: number;
  /** Set-up progress (signing users in), one line at a time. */
  onProgress?: (line: string) => void;
  json?: string;
  /** Self-contained HTML report with charts. */
  html?: string;
  /** JUnit XML, each threshold a test case. */
  junit?: string;
  timeout: string;
}

/** A validated overload plan; everything that can be wrong with the flags is found here, before any request. */
export interface OverloadPlan {
  origin: string;
  scenarioName: string;
  /** Worker threads the load runs in (1: the main thread). */
  workers: number;
  /** `drawsHere`: the caller renders a live dashboard in this thread, so the load goes to a worker thread (run-load.ts). */
  run(onSnapshot: (s: LoadSnapshot) => void, signal: AbortSignal, drawsHere?: boolean): Promise<{ final: LoadSnapshot; report: LoadReport }>;
}

/** Validates flags (usage errors exit 2 before any request is sent) and returns the runnable plan. */
export function planOverload(flags: OverloadFlags, cluster: ClusterConfig | undefined): OverloadPlan {
  const thresholds = flags.threshold.map(parseThreshold);
  const open = flags.rate !== undefined || flags.duration !== undefined;
  if (open && (flags.rate === undefined || flags.duration === undefined)) {
    throw new UsageError('invalid_option', 'the open model needs both --rate R and --duration D (e.g. --rate 500 --duration 30s)');
  }
  if (open && flags.requestCount !== undefined) {
    throw new UsageError('invalid_option', '--request_count (closed model) and --rate/--duration (open model) exclude each other');
  }
  const durationMs = flags.duration === undefined ? undefined : parseFlagDuration(flags.duration, '--duration');
  const timeoutMs = parseFlagDuration(flags.timeout, '--timeout');
  let origin: string;
  let path = '/';
  if (flags.target) {
    let url: URL;
    try {
      url = new URL(flags.target);
    } catch {
      throw new UsageError('invalid_option', `--target: expected an http:// URL, got "${flags.target}"`);
    }
    if (url.protocol !== 'http:') throw new UsageError('invalid_option', `--target: only http:// targets are supported, got "${url.protocol}"`);
    origin = url.origin;
    path = `${url.pathname}${url.search}`;
  } else if (cluster) {
    origin = gatewayUrlOf(cluster);
  } else {
    throw new UsageError('invalid_option', 'no target: pass --target URL or run against a cluster (-c FILE)');
  }
  const request = parseTargetRequest(flags, path);
  const scenario =
    flags.target && !flags.scenario
      ? targetScenario(request)
      : buildScenario((flags.scenario ?? 'product') as ScenarioName, { users: flags.users, onProgress: flags.onProgress });
  const requestCount = open ? undefined : (flags.requestCount ?? 1000);
  // Never more threads than connections, nor than requests: the start line names the threads that will run.
  const workers = Math.max(1, Math.min(flags.workers ?? chooseWorkerCount(origin), flags.concurrency, requestCount ?? Number.MAX_SAFE_INTEGER));
  return {
    origin,
    scenarioName: scenario.name,
    workers,
    async run(onSnapshot, signal, drawsHere = false) {
      const { runLoad } = await import('./run-load.js');
      let final: LoadSnapshot;
      try {
        final = await runLoad({
          origin,
          scenario,
          concurrency: flags.concurrency,
          requestCount,
          rate: flags.rate,
          durationMs,
          timeoutMs,
          workers,
          offThread: drawsHere,
          onSnapshot,
          signal,
        });
      } catch (err) {
        if (err instanceof EcomError) throw err;
        const code = (err as { code?: string; cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code;
        throw new EcomError('target_unreachable', `cannot load-test ${origin}: ${code ?? (err instanceof Error ? err.message : String(err))}`, {
          cause: err,
          hint: flags.target ? 'check the URL' : 'is the cluster up? (`ecom up -d`, `ecom status`)',
        });
      }
      const base = toReport(final);
      const report: LoadReport = { ...base, thresholds: thresholds.map((t) => checkThreshold(t, base)) };
      if (flags.json) {
        const text = `${JSON.stringify(report, null, 2)}\n`;
        if (flags.json === '-') process.stdout.write(text);
        else writeFileSync(flags.json, text);
      }
      if (flags.html || flags.junit) {
        const { writeOverloadReports } = await import('./report/write-overload-reports.js');
        const { queryServerSide } = await import('./query-server-side.js');
        const serverSeries = flags.html && cluster && !flags.target ? await queryServerSide(cluster, final, (line) => process.stderr.write(`${line}\n`)) : [];
        writeOverloadReports({ html: flags.html, junit: flags.junit }, final, report, { serverSeries });
      }
      return { final, report };
    },
  };
}
