import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assetFile } from '../../src/common/locate-assets.js';
import { LUA_FILES, luaModulesDir } from '../../src/gateway/locate-lua-modules.js';

describe('the Lua files nginx loads', () => {
  it('are every file under templates/lua (the single executable copies exactly that list out)', () => {
    const root = assetFile('templates/lua');
    const files = readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(root, join(e.parentPath, e.name)));
    expect([...LUA_FILES].sort()).toEqual(files.sort());
    expect(luaModulesDir('/nonexistent')).toBe(root);
  });
});
