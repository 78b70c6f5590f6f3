// The whole pipeline against real Apache Airflow 2.10 and 3.x: for every DAG file of the fidelity
// corpus (test/fidelity/corpus/), real Airflow's structure, schedule, rendered templates and
// `dag.test()` run (test/oracle/fidelity.py) against our CLI's `inspect`, `schedule`, `render` and
// `run` JSON. Prints the agreement per category and version, writes bench/fidelity.json, and fails
// on any difference that test/fidelity/known-differences.json (explained in docs/fidelity.md) does
// not list, and on any listed one that no longer happens.
import * as assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CATEGORIES, checkCallbacks, checkSchedule, checkStates, checkStructure, checkTemplates, checkXCom,
  type CaseResult, type InspectJson, type OracleFile, type PreflightDag, type RenderJson, type RunJson, type ScheduleJson,
} from '../fidelity/compare';

type Version = '2' | '3';
const VERSIONS: readonly Version[] = ['2', '3'];
const CORPUS = 'test/fidelity/corpus';
const KNOWN = 'test/fidelity/known-differences.json';
const DOC = 'docs/fidelity.md';
/** What a file's name says about the Airflow versions it is written for. */
const PREFIX_VERSIONS: Readonly<Record<string, readonly Version[]>> = { af2: ['2'], af3: ['3'], any: ['2', '3'] };
/** The Variables test/oracle/fidelity.py gives Airflow (its VARIABLES), as environment variables. */
const VARIABLES = { AIRFLOW_VAR_ENVIRONMENT: 'staging', AIRFLOW_VAR_SETTINGS: '{"bucket": "raw-data", "limit": 5}' };
const DEFAULT_NOW = '2024-01-10T12:00:00+00:00';
const DEFAULT_COUNT = 20;
/** Two cores: a few CLI processes at once keep both busy while each waits on its Python worker. */
const PARALLEL = 3;

interface KnownDifference { readonly category: string; readonly version: Version; readonly id: string; readonly reason: string }

interface Settings { readonly date?: string; readonly now: string; readonly count: number; readonly conf?: Record<string, unknown> }

function corpusFiles(): { file: string; versions: readonly Version[] }[] {
  return readdirSync(CORPUS).filter((name) => name.endsWith('.py')).sort().map((name) => {
    const versions = PREFIX_VERSIONS[name.split('_', 1)[0]];
    assert.ok(versions, `${CORPUS}/${name}: the name starts with af2_, af3_ or any_`);
    return { file: `${CORPUS}/${name}`, versions };
  });
}

/** The `# fidelity-*:` header settings, as test/oracle/fidelity.py reads them. */
function settingsOf(file: string): Settings {
  const settings: { date?: string; now: string; count: number; conf?: Record<string, unknown> } = { now: DEFAULT_NOW, count: DEFAULT_COUNT };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('#')) break;
    const match = /^#\s*fidelity-(date|now|count|conf):\s*(.+?)\s*$/.exec(line);
    if (!match) continue;
    const [, key, value] = match;
    if (key === 'date') settings.date = value;
    else if (key === 'now') settings.now = value;
    else if (key === 'count') settings.count = Number(value);
    else settings.conf = JSON.parse(value);
  }
  return settings;
}

function airflowPythons(): Record<Version, string> {
  const lines = execFileSync('sh', ['scripts/airflow/provision.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return Object.fromEntries(lines.trim().split('\n').map((line) => line.split(' ', 2))) as Record<Version, string>;
}

function spawnText(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', env, maxBuffer: 256 << 20, timeout: 600_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/**
 * The oracle's answer for these files, from ~/.cache/airflow-preflight/fidelity/ when the corpus,
 * the oracle scripts and the Airflow environment are byte for byte those it was computed from.
 */
async function oracle(version: Version, python: string, files: readonly string[]): Promise<{ airflow: string; files: OracleFile[] }> {
  const hash = createHash('sha256');
  const venv = join(python, '..', '..');
  hash.update(existsSync(join(venv, '.complete')) ? readFileSync(join(venv, '.complete')) : python);
  const inputs = [
    ...['test/oracle/fidelity.py', 'test/oracle/render.py', 'test/oracle/schedule.py', 'test/oracle/structure.py', 'scripts/airflow/oracle_env.py'],
    ...files,
    ...readdirSync(join(CORPUS, 'fidelity_helpers')).filter((n) => n.endsWith('.py')).sort().map((n) => join(CORPUS, 'fidelity_helpers', n)),
  ];
  for (const input of inputs) hash.update(`\0${input}\0`).update(readFileSync(input));
  const folder = join(process.env.PREFLIGHT_CACHE ?? join(homedir(), '.cache', 'airflow-preflight'), 'fidelity');
  const cached = join(folder, `airflow-${version}-${hash.digest('hex').slice(0, 32)}.json`);
  if (existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8'));
  const { status, stdout, stderr } = await spawnText(python, ['test/oracle/fidelity.py', ...files]);
  assert.equal(status, 0, `the fidelity oracle failed with Airflow ${version}:\n${stderr.slice(-4000)}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(cached, stdout);
  return JSON.parse(stdout);
}

async function cli(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<unknown> {
  const { status, stdout, stderr } = await spawnText(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], env);
  if (status !== 0 && status !== 1) return `exit ${status}: ${stderr.trim().split('\n').slice(-3).join(' ')}`;
  try {
    return JSON.parse(stdout);
  } catch {
    return `exit ${status}, not JSON: ${stderr.trim().split('\n').slice(-3).join(' ')}`;
  }
}

/** Preflight's `inspect`, and per DAG its `schedule`, `render` and `run`, for one file and version. */
async function preflight(file: string, version: Version, python: string, dagIds: readonly string[], scratch: string) {
  const settings = settingsOf(file);
  const env = { ...process.env, ...VARIABLES };
  const inspect = await cli(['inspect', file, '--json', '--airflow', version], env) as InspectJson | string;
  const dags: Record<string, PreflightDag> = {};
  for (const dagId of dagIds) {
    const common = [file, '--json', '--airflow', version, '--dag', dagId];
    const schedule = await cli(['schedule', ...common, '--now', settings.now, '--count', String(settings.count)], env) as ScheduleJson | string;
    if (!settings.date) {
      dags[dagId] = { schedule };
      continue;
    }
    const conf = settings.conf ? ['--conf', JSON.stringify(settings.conf)] : [];
    const render = await cli(['render', ...common, '--date', settings.date, ...conf], env) as RenderJson | string;
    const log = join(scratch, `${basename(file, '.py')}-${dagId}-${version}.jsonl`);
    const run = await cli(['run', ...common, '--date', settings.date, '--python', python, ...conf], { ...env, FIDELITY_CALLBACK_LOG: log }) as RunJson | string;
    const callbacks = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) : [];
    dags[dagId] = { schedule, render, run, callbacks };
  }
  return { inspect, dags };
}

async function inPool<T>(jobs: readonly (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]();
    }
  }));
  return results;
}

function compareFile(oracleFile: OracleFile, ours: Awaited<ReturnType<typeof preflight>>): CaseResult[] {
  const file = oracleFile.file.slice(CORPUS.length + 1);
  const importCase: CaseResult[] = Object.keys(oracleFile.import_errors).length > 0
    ? [{ category: 'structure', id: `${file} imports`, agree: false, airflow: oracleFile.import_errors, preflight: 'loads' }]
    : [];
  const cases = [...importCase, ...checkStructure(file, oracleFile, ours.inspect)];
  for (const dag of oracleFile.dags) {
    const mine = ours.dags[dag.dag_id];
    cases.push(...checkSchedule(file, dag, mine.schedule));
    if (mine.render !== undefined) cases.push(...checkTemplates(file, dag, mine.render));
    if (mine.run !== undefined) {
      cases.push(...checkStates(file, dag, mine.run), ...checkXCom(file, dag, mine.run), ...checkCallbacks(file, dag, mine));
    }
  }
  return cases;
}

const known: KnownDifference[] = JSON.parse(readFileSync(KNOWN, 'utf8')).differences;
const keyOf = (category: string, version: string, id: string) => `${category} | Airflow ${version} | ${id}`;
const results: Partial<Record<Version, { airflow: string; cases: CaseResult[] }>> = {};

describe('fidelity: the whole pipeline against real Apache Airflow', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'preflight-fidelity-'));
  const files = corpusFiles();

  before(async () => {
    const pythons = airflowPythons();
    const forVersion = (version: Version) => files.filter((f) => f.versions.includes(version)).map((f) => f.file);
    // The two oracle processes, one per version, run side by side; then our CLI on every file.
    const oracles = await Promise.all(VERSIONS.map((v) => oracle(v, pythons[v], forVersion(v))));
    const jobs = VERSIONS.flatMap((version, i) => oracles[i].files.map((oracleFile) => async () => {
      const ours = await preflight(oracleFile.file, version, pythons[version], oracleFile.dags.map((d) => d.dag_id), scratch);
      return { version, cases: compareFile(oracleFile, ours) };
    }));
    const compared = await inPool(jobs, PARALLEL);
    VERSIONS.forEach((version, i) => {
      results[version] = { airflow: oracles[i].airflow, cases: compared.filter((c) => c.version === version).flatMap((c) => c.cases) };
    });
    report();
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('has a corpus of at least 40 DAG files, each saying which rule it aims at', () => {
    assert.ok(files.length >= 40, `${files.length} corpus files`);
    for (const { file } of files) assert.match(readFileSync(file, 'utf8'), /^# Rule §/m, `${file} names its rule in its header`);
  });

  for (const version of VERSIONS) {
    it(`Airflow ${version}: every difference is a documented gap`, () => {
      const { cases } = results[version]!;
      const documented = new Set(known.filter((k) => k.version === version).map((k) => keyOf(k.category, version, k.id)));
      const fresh = cases.filter((c) => !c.agree && !documented.has(keyOf(c.category, version, c.id)));
      assert.deepEqual(fresh.map((c) => ({ case: keyOf(c.category, version, c.id), airflow: c.airflow, preflight: c.preflight })), [],
        'new differences from real Airflow: fix them, or list them with their reason in test/fidelity/known-differences.json and docs/fidelity.md');
    });

    it(`Airflow ${version}: every documented gap still happens`, () => {
      const { cases } = results[version]!;
      const differing = new Set(cases.filter((c) => !c.agree).map((c) => keyOf(c.category, version, c.id)));
      const gone = known.filter((k) => k.version === version && !differing.has(keyOf(k.category, version, k.id)));
      assert.deepEqual(gone.map((k) => keyOf(k.category, version, k.id)), [], `these gaps are closed: remove them from ${KNOWN} and ${DOC}`);
    });
  }

  it(`every documented gap is explained in ${DOC}`, () => {
    const doc = readFileSync(DOC, 'utf8');
    for (const gap of known) {
      assert.ok(gap.reason.length > 0, `${keyOf(gap.category, gap.version, gap.id)} has a reason`);
      assert.ok(doc.includes(gap.id), `${DOC} mentions ${gap.id}`);
    }
  });
});

/** The agreement table on stdout, and bench/fidelity.json. */
function report(): void {
  const airflow = Object.fromEntries(VERSIONS.map((v) => [v, results[v]!.airflow]));
  const reasons = new Map(known.map((k) => [keyOf(k.category, k.version, k.id), k.reason]));
  const categories = VERSIONS.flatMap((version) => CATEGORIES.map((name) => {
    const cases = results[version]!.cases.filter((c) => c.category === name);
    const differences = cases.filter((c) => !c.agree).map((c) => ({
      case: c.id, airflow: c.airflow, preflight: c.preflight, reason: reasons.get(keyOf(name, version, c.id)) ?? null,
    }));
    return { name, version: airflow[version], agree: cases.length - differences.length, total: cases.length, differences };
  }));
  const agree = categories.reduce((n, c) => n + c.agree, 0);
  const total = categories.reduce((n, c) => n + c.total, 0);
  const lines = ['', 'Fidelity against real Apache Airflow (cases agreeing / total)', '', `| category | ${VERSIONS.map((v) => `Airflow ${airflow[v]}`).join(' | ')} |`, `| --- |${VERSIONS.map(() => ' --- |').join('')}`];
  for (const name of CATEGORIES) {
    lines.push(`| ${name} | ${VERSIONS.map((v) => { const c = categories.find((x) => x.name === name && x.version === airflow[v])!; return `${c.agree} / ${c.total}`; }).join(' | ')} |`);
  }
  lines.push(`| all | ${VERSIONS.map((v) => { const mine = categories.filter((c) => c.version === airflow[v]); return `${mine.reduce((n, c) => n + c.agree, 0)} / ${mine.reduce((n, c) => n + c.total, 0)}`; }).join(' | ')} |`, '');
  for (const category of categories) {
    for (const d of category.differences) {
      lines.push(`  ${category.name}, Airflow ${category.version}: ${d.case}${d.reason ? ` (documented: ${d.reason})` : ' (NEW)'}`);
      lines.push(`    airflow:   ${JSON.stringify(d.airflow)}`, `    preflight: ${JSON.stringify(d.preflight)}`);
    }
  }
  console.log(lines.join('\n'));
  mkdirSync('bench', { recursive: true });
  writeFileSync('bench/fidelity.json', `${JSON.stringify({ airflow, categories, agree, total }, null, 2)}\n`);
}
