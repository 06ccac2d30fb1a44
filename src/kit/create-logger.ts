import { LOG_LEVELS, type LogLevel } from '../common/log-levels.js';

/** The most bytes one batch of log entries may take: what the logger service and the gateway accept on /api/logs. */
export const LOG_BATCH_LIMIT_BYTES = 2 * 1024 * 1024;

/** One structured log entry, as shipped to and stored by the logger service. */
export interface LogEntry {
  ts: string;
  service: string;
  instance: string;
  level: LogLevel;
  msg: string;
  [field: string]: unknown;
}

/** A structured logger; entries go to the process's stdout and to the sink (the shipper). */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

let stdoutPending = '';
let stdoutScheduled = false;
const flushStdout = (): void => {
  stdoutScheduled = false;
  if (stdoutPending === '') return;
  const text = stdoutPending;
  stdoutPending = '';
  process.stdout.write(text);
};

/** Appends to one buffer of stdout lines shared by every logger, written after the current turn and at exit. */
function batchedStdout(): (text: string) => void {
  if (process.listeners('exit').every((l) => l !== flushStdout)) process.on('exit', flushStdout);
  return (text) => {
    stdoutPending += text;
    if (!stdoutScheduled) {
      stdoutScheduled = true;
      setImmediate(flushStdout);
    }
  };
}

/** Creates a logger for one instance; entries below `level` are dropped, the rest printed and handed to `sink`. */
export function createLogger(options: {
  service: string;
  instance: string;
  level: LogLevel;
  sink?: (entry: LogEntry) => void;
  out?: NodeJS.WritableStream;
}): Logger {
  const min = LOG_LEVELS.indexOf(options.level);
  const out = options.out ?? process.stdout;
  // Lines for the process's own stdout (a log file: each write a blocking syscall) go out once per event-loop turn.
  const write = options.out ? (text: string) => void out.write(text) : batchedStdout();
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (LOG_LEVELS.indexOf(level) < min) return;
    const entry: LogEntry = {
      ...fields,
      ts: new Date().toISOString(),
      service: options.service,
      instance: options.instance,
      level,
      msg,
    };
    write(`${entry.ts} ${level.padEnd(5)} ${options.instance} ${msg}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
    options.sink?.(entry);
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}
