// Builds the three bundles the product ships: the extension (run by VS Code's Node extension host),
// the `preflight` CLI, and the browser script of the webview. `--production` minifies and drops
// source maps; `--watch` rebuilds on change; `--bench` builds the bench alone. Type checking is
// `tsc --noEmit`, not this script.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/vscode/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    // `graph --format svg` loads playwright-core from node_modules when it runs: bundled, it cannot
    // find its own package.json and browser descriptors.
    external: ['playwright-core'],
  },
  {
    ...common,
    entryPoints: { main: 'webview/main.ts' },
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

// The integration suite runs inside the extension host; it is bundled like the extension but never shipped.
if (!production) {
  const suites = readdirSync('test/integration').filter((f) => f.endsWith('.test.ts'));
  builds.push({
    ...common,
    entryPoints: ['test/integration/index.ts', ...suites.map((f) => `test/integration/${f}`)],
    outdir: 'out/test/integration',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
  });
}

// `npm run bench` times the code as a release ships it, bundled and minified like the extension,
// not as tsx loads the sources (tsx keeps function names by wrapping every named closure, which
// costs the analysis about a sixth). Only the bench is built then. esbuild and playwright-core
// are loaded from node_modules when it runs, as in the CLI.
if (process.argv.includes('--bench')) {
  builds.splice(0, builds.length, {
    ...common,
    minify: true,
    sourcemap: false,
    entryPoints: { bench: 'bench/run.ts' },
    outdir: 'out',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['esbuild', 'playwright-core'],
  });
}

// A release starts from an empty dist/, so no source map or stale bundle of a development build ships.
if (production) rmSync('dist', { recursive: true, force: true });

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('watching for changes');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
