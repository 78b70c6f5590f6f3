import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

/** Runs the CLI from source, as `preflight ARGS...`. */
function preflight(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('preflight inspect', () => {
  it('prints the DAGs, tasks, lines and upstream ids of a file as JSON', () => {
    const { status, stdout } = preflight('inspect', 'test/fixtures/workspace/dags/two_dags.py', '--json');
    assert.equal(status, 0);
    const report = JSON.parse(stdout);
    assert.equal(report.file, 'test/fixtures/workspace/dags/two_dags.py');
    assert.deepEqual(report.dags.map((d: { dag_id: string; line: number }) => [d.dag_id, d.line]), [['fan_out', 13], ['taskflow_etl', 25]]);
    assert.deepEqual(report.dags[0].tasks, [
      { task_id: 'task1', operator: 'BashOperator', line: 18, upstream: [] },
      { task_id: 'task2', operator: 'BashOperator', line: 19, upstream: ['task1'] },
      { task_id: 'task3', operator: 'PythonOperator', line: 20, upstream: ['task1'] },
    ]);
    assert.deepEqual(report.diagnostics, []);
  });

  it('reports a syntax error with its 1-based location and still lists what it recovered', () => {
    const { status, stdout } = preflight('inspect', 'test/fixtures/workspace/dags/half_typed.py', '--json');
    assert.equal(status, 0);
    const report = JSON.parse(stdout);
    assert.deepEqual(report.dags[0].tasks.map((t: { task_id: string }) => t.task_id), ['start', 'work', 'broken']);
    assert.deepEqual(
      report.diagnostics.map((d: { line: number; column: number; code: string; severity: string }) => [d.line, d.column, d.code, d.severity]),
      [[11, 5, 'PF001', 'error']],
    );
  });

  it('names the file and the reason when it cannot read it, with exit code 2', () => {
    const { status, stderr } = preflight('inspect', 'no/such/file.py', '--json');
    assert.equal(status, 2);
    assert.match(stderr, /cannot read no\/such\/file\.py: ENOENT/);
  });

  it('rejects unknown commands and options with the usage, exit code 2', () => {
    for (const args of [['frobnicate'], ['inspect', '--frob', 'x.py'], []]) {
      const { status, stderr, stdout } = preflight(...args);
      assert.equal(status, 2, args.join(' '));
      assert.match(stderr + stdout, /Usage: preflight/);
    }
  });
});

describe('preflight demo', () => {
  it('summarises every DAG file of the examples', () => {
    const { status, stdout } = preflight('demo', 'examples/dags');
    assert.equal(status, 0);
    assert.match(stdout, /DAG af3_xcom_fan_out \(line \d+\): 3 tasks/);
    assert.match(stdout, /\d+ files, 9 DAGs, \d+ tasks, 0 errors/);
  });
});
