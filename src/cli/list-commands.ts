import type { Command } from 'commander';

type Register = (program: Command) => void;

// One module registers both `deploy` and `undeploy`: the same loader under both names, run once.
const deployCommands = async (): Promise<Register> => (await import('./deploy-command.js')).registerDeployCommands;

/**
 * Every top-level command and how to load its module. Loading is lazy so that a role pays only for what it runs:
 * a service instance never loads React, Ink or the load engine, and the gateway's Handlebars stays out of `status`.
 */
export const COMMANDS: Record<string, () => Promise<Register>> = {
  up: async () => (await import('./up-command.js')).registerUpCommand,
  down: async () => (await import('./down-command.js')).registerDownCommand,
  status: async () => (await import('./status-command.js')).registerStatusCommand,
  logs: async () => (await import('./logs-command.js')).registerLogsCommand,
  scale: async () => (await import('./scale-command.js')).registerScaleCommand,
  restart: async () => (await import('./restart-command.js')).registerRestartCommand,
  seed: async () => (await import('./seed-command.js')).registerSeedCommand,
  overload: async () => (await import('./overload-command.js')).registerOverloadCommand,
  chaos: async () => (await import('./chaos-command.js')).registerChaosCommand,
  events: async () => (await import('./events-command.js')).registerEventsCommand,
  service: async () => (await import('./service-command.js')).registerServiceCommand,
  iscs: async () => (await import('./iscs-command.js')).registerIscsCommand,
  nginx: async () => (await import('./nginx-command.js')).registerNginxCommand,
  doctor: async () => (await import('./doctor-command.js')).registerDoctorCommand,
  daemon: async () => (await import('./up-command.js')).registerDaemonCommand,
  image: async () => (await import('./image-command.js')).registerImageCommand,
  import: async () => (await import('./import-command.js')).registerImportCommand,
  export: async () => (await import('./export-command.js')).registerExportCommand,
  deploy: deployCommands,
  undeploy: deployCommands,
  'state-init': async () => (await import('./deploy-command.js')).registerStateInitCommand,
};

/** Options that take no value and may come before the command's name. */
const LEADING_FLAGS = new Set(['--debug', '-V', '--version', '-h', '--help']);

/**
 * The loaders to run for `argv`: only the named command's when the first word names one, every command otherwise
 * (help, a typo that commander should answer with a suggestion, no command at all).
 */
export function commandsFor(argv: readonly string[]): Array<() => Promise<Register>> {
  const name = argv.slice(2).find((word) => !LEADING_FLAGS.has(word));
  const one = name === undefined ? undefined : COMMANDS[name];
  return one ? [one] : [...new Set(Object.values(COMMANDS))];
}
