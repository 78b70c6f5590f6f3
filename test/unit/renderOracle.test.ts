// Our rendering of every templated field against what real Airflow 2.10 and 3.x rendered for the
// same DAG files and logical dates (recorded by test/oracle/render.py).
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { catalogFor } from '../../src/core/airflow/catalog';
import { checkFile } from '../../src/core/check';
import { parseConnection } from '../../src/core/templates/connections';
import { renderDag, type RenderedTask } from '../../src/core/templates/fields';
import { templateReader } from '../../src/node/files';

interface Case {
  name: string;
  file: string;
  dag_id: string;
  logical_date: string;
  conf: Record<string, unknown> | null;
  variables?: Record<string, string>;
  /** Connections by id, in the URI or JSON form of AIRFLOW_CONN_<ID>. */
  connections?: Record<string, string>;
}
interface Expected { name: string; error: string | null; tasks?: { task_id: string; fields: Record<string, unknown>; errors: Record<string, string> }[] }

/**
 * Cases whose DAG uses what the renderer does not model yet, each with the reason. Every other case
 * must agree field for field; this list may only shrink.
 */
const NOT_YET: Record<string, string> = {
  'params: conf failing the params schema': 'Param type validation of dag_run.conf',
};

/**
 * Fields of otherwise supported cases that only Python can render, by case and task, each with the
 * reason we must give; every other field of those tasks must agree with Airflow.
 */
const shout = { user_macros: { env: /^user-defined filter 'shout' is the Python function _shout, which only Python can run$/ } };
const hostname = { unmodelled: { bash_command: /^(Runtime)?TaskInstance\.hostname is not supported by the template preview$/ } };
const PYTHON_ONLY: Record<string, Record<string, Record<string, RegExp>>> = {
  'user_macros: first run, no conf': shout,
  'user_macros: 2024-03-10, no conf': shout,
  // The worker's host name.
  'context_objects: first run, no conf': hostname,
  'context_objects: Variables, Connections and conf': hostname,
};

const cases: Case[] = JSON.parse(readFileSync('test/oracle/render-cases.json', 'utf8'));

for (const version of [2, 3] as const) {
  const expected: { airflow: string; results: Expected[] } = JSON.parse(readFileSync(`test/oracle/render-expected-${version}.json`, 'utf8'));
  describe(`templates render as Apache Airflow ${expected.airflow} renders them`, () => {
    for (const renderCase of cases) {
      const theirs = expected.results.find((r) => r.name === renderCase.name)!;
      it(renderCase.name, { skip: NOT_YET[renderCase.name] }, () => {
        const path = renderCase.file;
        if (!existsSync(path)) {
          assert.ok(theirs.error, 'a missing DAG file fails for Airflow too');
          return;
        }
        const checked = checkFile({ file: path, text: readFileSync(path, 'utf8') }, version);
        const dag = checked.model.dags.find((d) => d.dagId === renderCase.dag_id);
        if (theirs.error) {
          assert.ok(!dag || 'error' in renderDag(dag, { airflow: version, catalog: catalogFor(version), logicalDate: Date.parse(renderCase.logical_date), now: 0 }),
            `Airflow fails (${theirs.error}); so must we`);
          return;
        }
        assert.ok(dag, `the model has DAG ${renderCase.dag_id}`);
        const ours = renderDag(dag, {
          airflow: version,
          catalog: catalogFor(version),
          logicalDate: Date.parse(renderCase.logical_date),
          // The oracle freezes the clock an hour after the logical date.
          now: Date.parse(renderCase.logical_date) + 3_600_000,
          conf: renderCase.conf ?? {},
          variables: renderCase.variables,
          connections: renderCase.connections && Object.fromEntries(Object.entries(renderCase.connections).map(([id, text]) => [id, parseConnection(id, text)!])),
          // Relative template_searchpath entries are relative to the directory Airflow ran in: the repository's root.
          readTemplate: templateReader(path),
        });
        if ('error' in ours) assert.fail(`we cannot render where Airflow does: ${ours.error}`);
        for (const task of theirs.tasks ?? []) {
          const mine: RenderedTask | undefined = ours.tasks.find((t) => t.task_id === task.task_id);
          assert.ok(mine, `task ${task.task_id}`);
          const pythonOnly = PYTHON_ONLY[renderCase.name]?.[task.task_id] ?? {};
          assert.deepEqual(Object.keys(mine.unsupported).sort(), Object.keys(pythonOnly).sort(), `${task.task_id}: fields we cannot render statically (${JSON.stringify(mine.unsupported)})`);
          for (const [field, reason] of Object.entries(pythonOnly)) assert.match(mine.unsupported[field], reason);
          const theirs = (values: Record<string, unknown>) => Object.fromEntries(Object.entries(values).filter(([field]) => !(field in pythonOnly)));
          assert.deepEqual(mine.fields, theirs(task.fields), `${task.task_id}: rendered fields`);
          assert.deepEqual(Object.keys(mine.errors).sort(), Object.keys(theirs(task.errors)).sort(), `${task.task_id}: fields that fail (${JSON.stringify(task.errors)} vs ${JSON.stringify(mine.errors)})`);
        }
      });
    }
  });
}
