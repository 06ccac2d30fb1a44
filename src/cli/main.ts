import { Command, CommanderError } from 'commander';
import { EcomError } from '../common/ecom-error.js';
import { formatError } from '../common/format-error.js';
import { registerIscsCommand } from './iscs-command.js';
import { registerNginxCommand } from './nginx-command.js';
import { registerServiceCommand } from './service-command.js';

const program = new Command('ecom')
  .description('run an e-commerce microservice cluster on one machine, and load-test it')
  .option('--debug', 'print stack traces on failure')
  .exitOverride()
  .showHelpAfterError();
registerServiceCommand(program);
registerIscsCommand(program);
registerNginxCommand(program);

/** The single top-level catch: one line on stderr, exit 2 for bad usage, 1 for any other failure. */
async function main(argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
    process.exitCode ??= 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    const debug = argv.includes('--debug');
    process.stderr.write(`ecom: ${formatError(err, { debug })}\n`);
    process.exitCode = err instanceof EcomError ? err.exitCode : 1;
  }
}

await main(process.argv);
