import { Command, CommanderError } from 'commander';
import { describeBuild } from '../common/describe-build.js';
import { EcomError } from '../common/ecom-error.js';
import { formatError } from '../common/format-error.js';
import { paintError } from '../common/paint-text.js';
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
import { registerImageCommand } from './image-command.js';
import { registerExportCommand } from './export-command.js';
import { registerDeployCommands, registerStateInitCommand } from './deploy-command.js';

const program = new Command('ecom')
  .description('run an e-commerce microservice cluster on one machine, and load-test it')
  .option('--debug', 'print stack traces on failure')
  .option('-V, --version', 'print the version and the commit it was built from')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text.startsWith('error:') ? paintError(text) : text) })
  .showHelpAfterError();
// Read only when asked: from source it runs git.
program.on('option:version', () => {
  process.stdout.write(`${describeBuild()}\n`);
  throw new CommanderError(0, 'ecom.version', 'version printed');
});
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
registerImageCommand(program);
registerExportCommand(program);
registerStateInitCommand(program);
registerDeployCommands(program);
registerDaemonCommand(program);

/** How long a finished command may leave a handle open (say, a client's disconnect timer) before the process ends. */
const LINGER_MS = 500;

/**
 * The single top-level catch: one line on stderr (red on a colour terminal) and the exit status of the error's code
 * (2 bad usage, 1 failure, ...). Commands return or throw; nothing below calls `process.exit`. The process ends when
 * the command has closed what it opened, or LINGER_MS after it finished if something was left open.
 */
async function main(argv: string[]): Promise<void> {
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    process.exitCode ??= 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`${paintError(formatError(err, { debug }))}\n`);
    process.exitCode = err instanceof EcomError ? err.exitCode : 1;
  } finally {
    setTimeout(() => {
      if (debug) process.stderr.write(`ecom: still open after the command finished: ${process.getActiveResourcesInfo().join(', ')}\n`);
      process.exit();
    }, LINGER_MS).unref();
  }
}

// Not a top-level await: the binary is one CommonJS bundle. `main` never rejects.
void main(process.argv);
