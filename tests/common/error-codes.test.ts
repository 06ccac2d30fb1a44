import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_KINDS } from '../../src/config/defaults.js';
import { EcomError, UsageError } from '../../src/common/ecom-error.js';
import { ERROR_CODES, isErrorCode } from '../../src/common/error-codes.js';

const SRC = resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

const sources = sourceFiles(SRC).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
const listFile = join(SRC, 'common', 'error-codes.ts');

/** Every code string a throw site, an HTTP error or a control reply names literally. */
function codesNamedInSource(): Map<string, string> {
  const patterns = [/new (?:EcomError|UsageError)\(\s*'([^']+)'/g, /httpError\(\s*\d+,\s*'([^']+)'/g, /(?<!addIssue\(\{ )\bcode: '([^']+)'/g];
  const found = new Map<string, string>();
  for (const { path, text } of sources) {
    if (path === listFile) continue;
    for (const pattern of patterns) for (const m of text.matchAll(pattern)) found.set(m[1]!, path);
  }
  // zod's own issue code in schema refinements (`ctx.addIssue({ code: 'custom', ... })`), however they are wrapped.
  found.delete('custom');
  return found;
}

describe('the list of error codes', () => {
  it('holds every code src names at a throw site', () => {
    const named = codesNamedInSource();
    expect(named.size).toBeGreaterThan(50);
    const missing = [...named].filter(([code]) => !isErrorCode(code)).map(([code, path]) => `${code} (${path})`);
    expect(missing).toEqual([]);
  });

  it('holds no code that src never raises (built codes: <kind>_unavailable, notFound(what))', () => {
    const all = sources
      .filter((s) => s.path !== listFile)
      .map((s) => s.text)
      .join('\n');
    const built = new Set([
      ...SERVICE_KINDS.map((kind) => `${kind}_unavailable`),
      ...[...all.matchAll(/notFound\('([a-z_]+)'\)/g)].map((m) => `${m[1]}_not_found`),
    ]);
    const unused = Object.keys(ERROR_CODES).filter((code) => !built.has(code) && !all.includes(`'${code}'`));
    expect(unused).toEqual([]);
  });

  it('gives every code a snake_case name and a known exit status', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect([1, 2, 99, 130]).toContain(spec.exit);
    }
  });

  it('takes the exit status from the list: usage 2, thresholds 99, interrupted 130, the rest 1', () => {
    expect(new UsageError('invalid_option', 'x').exitCode).toBe(2);
    expect(new EcomError('thresholds_crossed', 'x').exitCode).toBe(99);
    expect(new EcomError('interrupted', 'x').exitCode).toBe(130);
    expect(new EcomError('start_failed', 'x').exitCode).toBe(1);
    expect(new UsageError('invalid_option', 'x').status).toBe(400);
  });

  it("gives a code one hint: the list's wins over the throw site's, the throw site's fills in otherwise", () => {
    const a = new EcomError('already_running', 'a cluster already runs', { hint: 'a different hint' });
    expect(a.hint).toBe(ERROR_CODES.already_running.hint);
    expect(a.hint).toBe('see `ecom status`, or stop it with `ecom down`');
    expect(new EcomError('start_failed', 'x', { hint: 'see daemon.log' }).hint).toBe('see daemon.log');
    expect(new EcomError('start_failed', 'x').hint).toBeUndefined();
  });

  it('recognises codes that arrive as plain strings', () => {
    expect(isErrorCode('daemon_timeout')).toBe(true);
    expect(isErrorCode('no_such_code')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
  });
});
