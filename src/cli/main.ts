import { commandsFor } from './list-commands.js';
import { runCli } from './run-cli.js';

// The `ecom` entry point: every command, each loaded only when named. Not a top-level await: the binary is CommonJS.
void runCli(process.argv, commandsFor(process.argv));
