import { Chalk, supportsColor, supportsColorStderr, type ChalkInstance } from 'chalk';

/** The stream a text is written to; each has its own colour support. */
export type OutputStream = 'stdout' | 'stderr';

/** A chalk colour level: 0 none, 1 basic, 2 256 colours, 3 truecolor. */
export type ColourLevel = 0 | 1 | 2 | 3;

/**
 * The colour level to use given chalk's detection for a stream (which honours a TTY, FORCE_COLOR and TERM=dumb):
 * NO_COLOR (set and not empty) turns colour off unless FORCE_COLOR is set.
 */
export function pickColourLevel(detected: ColourLevel, env: NodeJS.ProcessEnv = process.env): ColourLevel {
  if (env.FORCE_COLOR !== undefined) return detected;
  return env.NO_COLOR ? 0 : detected;
}

const painters = new Map<OutputStream, ChalkInstance>();

/** The chalk instance for text written to `stream`: plain when that stream is not a terminal or colour is off. */
export function painterFor(stream: OutputStream): ChalkInstance {
  let painter = painters.get(stream);
  if (!painter) {
    const detected = (stream === 'stderr' ? supportsColorStderr : supportsColor) || { level: 0 as const };
    painter = new Chalk({ level: pickColourLevel(detected.level) });
    painters.set(stream, painter);
  }
  return painter;
}

/** A health word coloured by meaning: green healthy, yellow starting, red unhealthy or crash-loop. */
export function paintHealth(health: string, stream: OutputStream = 'stdout'): string {
  const paint = painterFor(stream);
  if (health === 'healthy') return paint.green(health);
  if (health === 'starting') return paint.yellow(health);
  if (health === 'unhealthy' || health === 'crash-loop') return paint.red(health);
  return health;
}

/** An error line (`ecom: ...`), red on a colour terminal. */
export function paintError(text: string, stream: OutputStream = 'stderr'): string {
  return painterFor(stream).red(text);
}

/** A warning line, yellow on a colour terminal. */
export function paintWarning(text: string, stream: OutputStream = 'stderr'): string {
  return painterFor(stream).yellow(text);
}
