// The order in which the interpreter and the Airflow version are chosen, as the settings document it.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseAirflowVersion, choosePythonInterpreter, workspaceAirflowVersion } from '../../src/core/airflow/selection';

describe('the Python interpreter', () => {
  it('is preflight.pythonPath when set, whatever the Python extension selected', () =>
    assert.deepEqual(choosePythonInterpreter(' /opt/venv/bin/python ', '/usr/bin/python3.12'), { path: '/opt/venv/bin/python', source: 'setting' }));

  it('is the Python extension\'s active interpreter when the setting is empty', () => {
    assert.deepEqual(choosePythonInterpreter('', '/work/.venv/bin/python'), { path: '/work/.venv/bin/python', source: 'python-extension' });
    assert.deepEqual(choosePythonInterpreter('   ', '/work/.venv/bin/python'), { path: '/work/.venv/bin/python', source: 'python-extension' });
  });

  it('is python3 without either', () => {
    assert.deepEqual(choosePythonInterpreter('', undefined), { path: 'python3', source: 'default' });
    assert.deepEqual(choosePythonInterpreter('', ''), { path: 'python3', source: 'default' });
  });
});

describe('the Airflow version', () => {
  const airflow2File = 'from airflow import DAG\nDAG("d", schedule_interval="@daily")\n';
  const airflow3File = 'from airflow.sdk import DAG\n';

  it('is the setting when it names a version, over the installed one and the file', () => {
    assert.deepEqual(chooseAirflowVersion('3', 2, airflow2File), { version: 3, source: 'setting' });
    assert.deepEqual(chooseAirflowVersion('2', 3, airflow3File), { version: 2, source: 'setting' });
  });

  it('with auto, is the version installed for the interpreter, over the file', () =>
    assert.deepEqual(chooseAirflowVersion('auto', 3, airflow2File), { version: 3, source: 'installed' }));

  it('with auto and no Airflow installed, is the version the file is written for', () => {
    assert.deepEqual(chooseAirflowVersion('auto', undefined, airflow2File), { version: 2, source: 'file' });
    assert.deepEqual(chooseAirflowVersion('auto', undefined, airflow3File), { version: 3, source: 'file' });
    assert.equal(workspaceAirflowVersion('auto', undefined), undefined, 'no version for the whole workspace');
  });
});
