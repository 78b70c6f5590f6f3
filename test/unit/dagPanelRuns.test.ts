// The DAG panel's grid columns from the run history: who made each run (the simulator, dag.test()
// of local Airflow, or a deployment) and the logical date a still-running run is shown at.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunHistoryEntry } from '../../src/node/runHistory';
import { runColumns, type RunSource } from '../../src/vscode/dagPanelRuns';
import type { LiveSimulation } from '../../src/vscode/runStore';

const FILE = '/dags/etl.py';
const DAY = Date.parse('2024-01-02T00:00:00Z');

type Maker = Pick<RunHistoryEntry, 'engine' | 'remote'>;

/** A running entry of one run `runId` asked for the logical date DAY, made by `maker`. */
function liveEntry(runId: string, maker: Maker): { entry: RunHistoryEntry; live: LiveSimulation } {
  const entry: RunHistoryEntry = {
    id: `entry-${runId}`, dagId: 'etl', file: FILE, mode: 'real', selection: { kind: 'date', logicalDate: DAY }, conf: {},
    startedAt: 0, finishedAt: null, status: 'running', tasks: [{ taskId: 'extract', upstream: [], downstream: [] }], result: null, ...maker,
  };
  const live: LiveSimulation = {
    taskIds: ['extract'], alerts: [],
    runs: new Map([[runId, { runId, state: 'running', tasks: new Map([['extract', { state: 'running', tryNumber: 1, log: '' }]]) }]]),
  };
  return { entry, live };
}

function check(runId: string, maker: Maker, expected: { madeBy: string | null; logicalDate: string | null }): void {
  const { entry, live } = liveEntry(runId, maker);
  const source: RunSource = { entries: [entry], liveState: (id) => (id === entry.id ? live : undefined) };
  const [column] = runColumns(source, FILE, 'etl');
  assert.deepEqual({ madeBy: column.madeBy, logicalDate: column.logicalDate }, expected);
}

describe('grid columns of the DAG panel', () => {
  it('shows a simulator run at the date of its run id, unmarked', () => {
    check('scheduled__2024-01-01T00:00:00+00:00', {}, { madeBy: null, logicalDate: '2024-01-01T00:00:00+00:00' });
  });

  it('marks a dag.test() run as Airflow\'s and shows it at the date asked for, not the creation time in its Airflow 3 run id', () => {
    check('manual__2026-12-01T23:10:04.123456+00:00', { engine: 'airflow' }, { madeBy: 'Airflow', logicalDate: '2024-01-02T00:00:00+00:00' });
  });

  it('marks a deployment\'s run with the deployment\'s name', () => {
    check('manual__2026-12-01T23:10:04+00:00', { remote: { deployment: 'prod', baseUrl: 'https://airflow.example.com', runId: 'manual__2026-12-01T23:10:04+00:00' } },
      { madeBy: 'prod', logicalDate: '2024-01-02T00:00:00+00:00' });
  });
});
