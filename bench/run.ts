// `npm run bench`: speed as ratios to a peer measured in the same run, so results compare across
// machines. Writes bench/results.json and prints a table.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeDagFile } from '../src/core/dag/analyze';
import { generateDagFile } from './generate';

interface Row {
  name: string;
  ours_ms: number;
  peer: string;
  peer_ms: number;
  ratio: number;
}

const ROUNDS = 31;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

function timeOurs(run: () => void): number {
  for (let i = 0; i < 5; i++) run();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

/** CPython's own parser on the same file, timed inside Python so that start-up is not counted. */
function timeCPythonAstParse(file: string): number {
  const script = `
import ast, json, statistics, sys, time
source = open(sys.argv[1], encoding="utf-8").read()
for _ in range(5): ast.parse(source)
times = []
for _ in range(${ROUNDS}):
    start = time.perf_counter(); ast.parse(source); times.append((time.perf_counter() - start) * 1000)
print(json.dumps(statistics.median(times)))
`;
  const python = process.env.PREFLIGHT_BENCH_PYTHON ?? 'python3';
  const result = spawnSync(python, ['-c', script, file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${python} failed: ${result.stderr || result.error}`);
  return Number(result.stdout.trim());
}

const scratch = mkdtempSync(join(tmpdir(), 'preflight-bench-'));
try {
  const rows: Row[] = [];
  const source = generateDagFile(1000);
  const file = join(scratch, 'generated_1000.py');
  writeFileSync(file, source);

  const model = analyzeDagFile(source);
  if (model.dags[0]?.tasks.length !== 1000) throw new Error('the generated DAG did not analyse to 1,000 tasks');
  const ours = timeOurs(() => analyzeDagFile(source));
  const peer = timeCPythonAstParse(file);
  rows.push({ name: 'parse + model, 1,000-task DAG', ours_ms: ours, peer: 'CPython ast.parse', peer_ms: peer, ratio: ours / peer });

  const round = (n: number) => Math.round(n * 1000) / 1000;
  const results = { rows: rows.map((r) => ({ ...r, ours_ms: round(r.ours_ms), peer_ms: round(r.peer_ms), ratio: round(r.ratio) })) };
  writeFileSync(join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  console.table(results.rows);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
