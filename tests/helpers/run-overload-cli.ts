import { runEcom, type CliResult } from './run-ecom-cli.js';

/** What one `ecom overload` run left behind. */
export type OverloadCliResult = CliResult;

/** Runs the built `ecom overload ARGS...` (see runEcom); kills the run after `timeoutMs`. */
export function runOverloadCli(args: string[], timeoutMs = 60_000): Promise<OverloadCliResult> {
  return runEcom(['overload', ...args], { timeoutMs });
}
