import { Command, CommanderError } from 'commander';
import { describeBuild } from '../common/describe-build.js';
import { EcomError } from '../common/ecom-error.js';
import { formatError } from '../common/format-error.js';
import { paintError } from '../common/paint-text.js';

/** Adds one command (or a group) to the program. */
export type RegisterCommand = (program: Command) => void;

/** How long a finished command may leave a handle open (say, a client's disconnect timer) before the process ends. */
const LINGER_MS = 500;

/**
 * Runs the `ecom` program with the commands the loaders give. The single top-level catch: one line on stderr (red on
 * a colour terminal) and the exit status of the error's code (2 bad usage, 1 failure, ...). Commands return or
 * throw; nothing below calls `process.exit`. The process ends when the command has closed what it opened, or
 * LINGER_MS after it finished if something was left open. Never rejects.
 */
export async function runCli(argv: string[], loaders: ReadonlyArray<() => Promise<RegisterCommand>>): Promise<void> {
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
  const debug = argv.includes('--debug');
  try {
    for (const register of await Promise.all(loaders.map((load) => load()))) register(program);
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
