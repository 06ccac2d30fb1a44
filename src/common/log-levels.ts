/** Log levels, least severe first: the one list the logger, the logger service, `ecom logs` and the cluster file use. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** One of LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** True for a string that names a log level. */
export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** The levels as prose for messages: "debug, info, warn or error". */
export function describeLogLevels(): string {
  return `${LOG_LEVELS.slice(0, -1).join(', ')} or ${LOG_LEVELS.at(-1)}`;
}
