import { Command, CommanderError } from 'commander';
import { EcomError } from '../common/ecom-error.js';
import { formatError } from '../common/format-error.js';
import { registerDoctorCommand } from './doctor-command.js';
import { registerDownCommand } from './down-command.js';
import { registerEventsCommand } from './events-command.js';
import { registerIscsCommand } from './iscs-command.js';
import { registerLogsCommand } from './logs-command.js';
import { registerOverloadCommand } from './overload-command.js';
import { registerRestartCommand } from './restart-command.js';
import { registerScaleCommand } from './scale-command.js';
import { registerSeedCommand } from './seed-command.js';
import { registerStatusCommand } from './status-command.js';
import { registerDaemonCommand, registerUpCommand } from './up-command.js';
import { registerNginxCommand } from './nginx-command.js';
import { registerServiceCommand } from './service-command.js';
import { registerChaosCommand } from './chaos-command.js';

const program = new Command('ecom')
  .description('run an e-commerce microservice cluster on one machine, and load-test it')
  .option('--debug', 'print stack traces on failure')
  .exitOverride()
  .showHelpAfterError();
registerUpCommand(program);
registerDownCommand(program);
registerStatusCommand(program);
registerLogsCommand(program);
registerScaleCommand(program);
registerRestartCommand(program);
registerSeedCommand(program);
registerOverloadCommand(program);
registerChaosCommand(program);
registerEventsCommand(program);
registerServiceCommand(program);
registerIscsCommand(program);
registerNginxCommand(program);
registerDoctorCommand(program);
registerDaemonCommand(program);

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
