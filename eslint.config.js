// Lint: typescript-eslint's recommended rules, and the layer rule — each folder under src/ imports only the folders
// below it (common → config → kit → registry → gateway → services → runtime → cluster → overload → chaos → cli), no cycles.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const LAYERS = ['common', 'config', 'kit', 'registry', 'gateway', 'services', 'runtime', 'cluster', 'overload', 'chaos', 'cli'];

/** For each layer, the zone that forbids it from importing any layer above it. */
const layerZones = LAYERS.map((layer, i) => ({
  target: `./src/${layer}`,
  from: LAYERS.slice(i + 1).map((above) => `./src/${above}`),
  message: `src/${layer} may import only ${LAYERS.slice(0, i).join(', ') || 'node and npm modules'} (layers import downward only).`,
})).filter((zone) => zone.from.length > 0);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', '.ecom/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
      'import-x/no-cycle': 'error',
      'import-x/no-duplicates': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='process'][callee.property.name='exit']",
          message: 'only src/cli/run-cli.ts ends the process',
        },
      ],
    },
  },
  { files: ['src/cli/run-cli.ts', 'tests/**', 'bench/**', 'scripts/**'], rules: { 'no-restricted-syntax': 'off' } },
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  // The single executable's main script is CommonJS: a SEA main script can only `require` node's built-in modules.
  {
    files: ['scripts/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { process: 'readonly', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
