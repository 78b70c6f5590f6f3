// Local runs end to end through runDagLocally, for the failures a user's code can cause: a Python
// task that hangs (its execution_timeout kills the worker and what it started, and the run goes on).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { runDagLocally } from '../../src/node/localRun';

describe('runDagLocally', () => {
  it('a hanging Python task times out: its process tree is killed, no orphan is left, the next task runs in a new worker', async () => {
    const marker = `preflight-hang-${process.pid}-${Date.now()}`;
    const outcome = await runDagLocally({
      file: 'test/fixtures/sim/run/hanging_task.py', selection: { kind: 'date', logicalDate: Date.parse('2024-01-01T00:00:00Z') },
      conf: { marker }, dry: false, python: 'python3', now: Date.parse('2024-01-02T00:00:00Z'),
    });
    assert.ok('result' in outcome, JSON.stringify(outcome));
    const [hang, after] = outcome.result.runs[0].tasks;
    assert.equal(hang.state, 'failed');
    assert.equal(hang.error?.type, 'AirflowTaskTimeout');
    assert.equal(after.state, 'success');
    assert.equal(after.xcom.return_value, 'the simulation went on');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const survivors = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(marker));
    assert.deepEqual(survivors, []);
  });

  it('a missing interpreter is a located problem that offers a dry run, not a crash', async () => {
    const outcome = await runDagLocally({ file: 'test/fixtures/sim/run/hanging_task.py', selection: { kind: 'next' }, dry: false, python: '/nonexistent/python3', now: Date.now() });
    assert.ok('problem' in outcome);
    assert.equal(outcome.problem.dryRunPossible, true);
    assert.match(outcome.problem.message, /\/nonexistent\/python3/);
  });
});
