// Lint: ESLint's and typescript-eslint's recommended rules over the sources, tests, benchmarks and tools.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config({ ignores: ['node_modules/', '.flywheel/', 'coverage/', '**/*.d.ts'] }, js.configs.recommended, ...tseslint.configs.recommended, {
  rules: {
    // A leading underscore marks a value left out on purpose (`const { secret: _s, ...rest } = x`).
    '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
  },
  languageOptions: {
    ecmaVersion: 2023,
    sourceType: 'module',
    globals: globals.node,
  },
});
