import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeLogLevels, isLogLevel, LOG_LEVELS } from '../../src/common/log-levels.js';
import { LOG_BATCH_LIMIT_BYTES } from '../../src/kit/create-logger.js';
import { clusterSchema } from '../../src/config/cluster-schema.js';

const SRC = resolve(import.meta.dirname, '../../src');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
const source = files(SRC).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
const placesWith = (pattern: RegExp): string[] => source.filter((f) => pattern.test(f.text)).map((f) => f.path.slice(SRC.length + 1));

describe('log levels and the log batch limit, each defined once', () => {
  it('lists the levels least severe first, and names them in prose', () => {
    expect(LOG_LEVELS).toEqual(['debug', 'info', 'warn', 'error']);
    expect(describeLogLevels()).toBe('debug, info, warn or error');
    expect(isLogLevel('warn')).toBe(true);
    expect(isLogLevel('fatal')).toBe(false);
  });

  it('is the only list of levels in src', () => {
    expect(placesWith(/'debug',\s*'info',\s*'warn',\s*'error'/)).toEqual(['common/log-levels.ts']);
    expect(placesWith(/debug\|info\|warn\|error/)).toEqual([]);
  });

  it('lets the cluster file take exactly these levels', () => {
    for (const level of LOG_LEVELS) expect(clusterSchema.safeParse({ logs: { level } }).success).toBe(true);
    expect(clusterSchema.safeParse({ logs: { level: 'trace' } }).success).toBe(false);
  });

  it('writes the 2 MiB batch limit once', () => {
    expect(LOG_BATCH_LIMIT_BYTES).toBe(2 * 1024 * 1024);
    expect(placesWith(/2 \* 1024 \* 1024|2_097_152|bodyLimit: '2m'/)).toEqual(['kit/create-logger.ts']);
  });
});
