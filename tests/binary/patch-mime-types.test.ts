import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { patchMimeTypes } from '../../scripts/lib/patch-mime-types.mjs';

interface MimeTypes {
  lookup(path: string): string | false;
  extension(type: string): string | false;
  contentType(str: string): string | false;
  charset(type: string): string | false;
  types: Record<string, string>;
  extensions: Record<string, string[]>;
}

const require = createRequire(import.meta.url);
const file = require.resolve('mime-types');
const fail = (message: string): never => {
  throw new Error(message);
};

/** mime-types as the binary bundles it: its source patched, run with the same require. */
function patched(): MimeTypes {
  const source = (patchMimeTypes as (text: string, file: string, fail: (m: string) => never) => string)(readFileSync(file, 'utf8'), file, fail);
  const module = { exports: {} as MimeTypes };
  const moduleRequire = createRequire(file);
  new Function('exports', 'require', 'module', source)(module.exports, moduleRequire, module);
  return module.exports;
}

describe('mime-types with its maps built on first use (binary bundle)', () => {
  it('answers every lookup as the unpatched module does', () => {
    const original = require('mime-types') as MimeTypes;
    const lazy = patched();
    for (const ext of ['json', 'html', 'txt', 'png', 'js', 'css', 'csv', 'x.tar.gz', 'nope', 'mp4', 'svg']) {
      expect(lazy.lookup(ext)).toBe(original.lookup(ext));
      expect(lazy.contentType(ext)).toBe(original.contentType(ext));
    }
    for (const type of ['application/json', 'text/html', 'image/png', 'text/plain; charset=utf-8', 'x/unknown']) {
      expect(lazy.extension(type)).toBe(original.extension(type));
      expect(lazy.charset(type)).toBe(original.charset(type));
    }
    expect(lazy.types).toEqual(original.types);
    expect(lazy.extensions).toEqual(original.extensions);
  });

  it('refuses to build when mime-types no longer has the code it replaces', () => {
    expect(() => (patchMimeTypes as (t: string, f: string, x: (m: string) => never) => string)('module.exports = {}', file, fail)).toThrow(
      /mime-types changed/,
    );
  });
});
