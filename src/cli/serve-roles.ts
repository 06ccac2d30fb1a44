import { registerIscsCommand } from './iscs-command.js';
import { runCli } from './run-cli.js';
import { registerServiceCommand } from './service-command.js';

// The single executable's second entry point: only `ecom service start` and `ecom iscs`, the processes a cluster runs
// many of. Bundled alone (scripts/build-binary.mjs) it is a third of the whole program's size: less to compile and to
// hold in every instance. From source, `ecom` (main.ts) runs the same two commands.
void runCli(process.argv, [async () => registerServiceCommand, async () => registerIscsCommand]);
