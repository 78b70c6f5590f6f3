import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'examples/**', 'python/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Best-effort clean-up (killing a process that may be gone) legitimately ignores errors.
      'no-empty': ['error', { allowEmptyCatch: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['webview/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
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
