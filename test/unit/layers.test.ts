import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeDagFile } from '../../src/core/dag/analyze';
import { taskLayers } from '../../src/core/dag/layers';

function check(edges: string, expected: string[][]): void {
  const ids = [...new Set(edges.match(/\w+/g))];
  const source = [
    'from airflow import DAG',
    'from airflow.operators.empty import EmptyOperator',
    'with DAG("d"):',
    ...ids.map((id) => `    ${id} = EmptyOperator(task_id="${id}")`),
    ...edges.split(';').map((e) => `    ${e.trim()}`),
  ].join('\n');
  assert.deepEqual(taskLayers(analyzeDagFile(source).dags[0]), expected);
}

describe('taskLayers', () => {
  it('puts each task one layer after its deepest upstream', () =>
    check('a >> [b, c]; c >> d; [b, d] >> e', [['a'], ['b', 'c'], ['d'], ['e']]));

  it('keeps independent tasks in the first layer, in definition order', () =>
    check('x >> y; z', [['x', 'z'], ['y']]));

  it('shows the tasks of a cycle last instead of dropping them', () =>
    check('a >> b >> c >> b', [['a'], ['b', 'c']]));
});
