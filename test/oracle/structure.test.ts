// Real Apache Airflow is the oracle: each file is loaded by Airflow's own DagBag (in the cached
// virtual environments of scripts/airflow/provision.sh) and its DAGs must have exactly the structure
// our static model gives: dag ids, task ids in order, operator classes, upstream ids, mapping.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analyzeDagFile } from '../../src/core/dag/analyze';
import { pythonFilesIn } from '../../src/node/files';

interface OracleTask {
  task_id: string;
  operator: string;
  upstream: string[];
  mapped: boolean;
  in_mapped_group: boolean;
}

interface OracleFile {
  file: string;
  import_errors: Record<string, string>;
  dags: { dag_id: string; tasks: OracleTask[] }[];
}

/** Files each Airflow version must load, by the version their imports are written for. */
const FILES: Record<'2' | '3', string[]> = {
  '2': [...pythonFilesIn(['examples/dags']).filter((f) => /\/af2_[^/]+\.py$/.test(f)), 'test/fixtures/workspace/dags/two_dags.py'],
  '3': [...pythonFilesIn(['examples/dags']).filter((f) => /\/af3_[^/]+\.py$/.test(f)), 'test/fixtures/workspace/dags/two_dags.py', 'test/fixtures/inspect/groups_and_mapping.py'],
};

function airflowPythons(): Record<string, string> {
  const lines = execFileSync('sh', ['scripts/airflow/provision.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return Object.fromEntries(lines.trim().split('\n').map((line) => line.split(' ', 2) as [string, string]));
}

function loadWithAirflow(python: string, files: string[]): { airflow: string; files: OracleFile[] } {
  return JSON.parse(execFileSync(python, ['test/oracle/structure.py', ...files], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

/** Our model in the oracle's shape: DAGs by id, tasks in definition order. */
function ourStructure(file: string) {
  const model = analyzeDagFile(readFileSync(file, 'utf8'));
  return [...model.dags]
    .sort((a, b) => a.dagId.localeCompare(b.dagId))
    .map((dag) => ({
      dag_id: dag.dagId,
      tasks: dag.tasks.map((t) => ({ task_id: t.taskId, operator: t.operator, upstream: [...t.upstream], mapped: t.mapped })),
    }));
}

const pythons = airflowPythons();

for (const version of ['2', '3'] as const) {
  const oracle = loadWithAirflow(pythons[version], FILES[version]);
  describe(`structure agrees with Apache Airflow ${oracle.airflow}`, () => {
    for (const loaded of oracle.files) {
      it(loaded.file, () => {
        assert.deepEqual(loaded.import_errors, {}, 'Airflow loads the file');
        assert.ok(loaded.dags.every((d) => d.tasks.every((t) => !t.in_mapped_group)), 'mapped task groups are not modelled yet');
        const theirs = loaded.dags.map((d) => ({
          dag_id: d.dag_id,
          tasks: d.tasks.map(({ task_id, operator, upstream, mapped }) => ({ task_id, operator, upstream, mapped })),
        }));
        assert.deepEqual(ourStructure(loaded.file), theirs);
      });
    }
  });
}
