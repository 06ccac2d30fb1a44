import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pickColourLevel } from '../../src/common/paint-text.js';

describe('pickColourLevel', () => {
  it("keeps chalk's detection for the stream (TTY, FORCE_COLOR, TERM) when NO_COLOR is not set", () => {
    expect(pickColourLevel(2, {})).toBe(2);
    expect(pickColourLevel(0, {})).toBe(0);
  });

  it('turns colour off with NO_COLOR, unless it is empty or FORCE_COLOR is set', () => {
    expect(pickColourLevel(3, { NO_COLOR: '1' })).toBe(0);
    expect(pickColourLevel(3, { NO_COLOR: '' })).toBe(3);
    expect(pickColourLevel(1, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(1);
  });
});

/** Paints each word in a fresh process running the built module, with `env` deciding colour (stdout is a pipe). */
function paintInChild(env: Record<string, string>): string[] {
  const childEnv = { ...process.env, ...env };
  if (env.FORCE_COLOR === undefined) delete childEnv.FORCE_COLOR;
  if (env.NO_COLOR === undefined) delete childEnv.NO_COLOR;
  const script = `import(${JSON.stringify(MODULE)}).then((m) => process.stdout.write(JSON.stringify([
    ...${JSON.stringify(WORDS)}.map((w) => m.paintHealth(w)), m.paintError('ecom: x', 'stdout'), m.paintWarning('careful', 'stdout'),
  ])))`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { env: childEnv, encoding: 'utf8' })) as string[];
}

const MODULE = resolve(import.meta.dirname, '../../dist/common/paint-text.js');
const WORDS = ['healthy', 'starting', 'unhealthy', 'crash-loop', 'stopped'];
const green = (t: string): string => `\u001b[32m${t}\u001b[39m`;
const yellow = (t: string): string => `\u001b[33m${t}\u001b[39m`;
const red = (t: string): string => `\u001b[31m${t}\u001b[39m`;

describe('the painters (built module, in a child process)', () => {
  it('colour health words, the error line and warnings with FORCE_COLOR', () => {
    expect(paintInChild({ FORCE_COLOR: '1' })).toEqual([
      green('healthy'),
      yellow('starting'),
      red('unhealthy'),
      red('crash-loop'),
      'stopped',
      red('ecom: x'),
      yellow('careful'),
    ]);
  });

  it('leave text plain when the stream is not a terminal, or with NO_COLOR', () => {
    const plain = [...WORDS, 'ecom: x', 'careful'];
    expect(paintInChild({})).toEqual(plain);
    expect(paintInChild({ NO_COLOR: '1' })).toEqual(plain);
  });
});
