import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'dist-vsix/**', 'examples/**', 'python/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core is shared by the extension, the CLI and (later) the webview: it must run anywhere,
    // so it may import neither VS Code nor Node's built-in modules. Time and I/O come in as arguments.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['vscode', 'fs', 'path', 'os', 'child_process', 'crypto', 'url', 'util', 'events', 'stream']
          .map((name) => ({ name, message: 'src/core must not depend on VS Code or Node built-ins.' })),
        patterns: [{ group: ['node:*'], message: 'src/core must not depend on Node built-ins.' }],
      }],
    },
  },
);
