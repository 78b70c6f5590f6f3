// Real Apache Airflow is the oracle: the table of import paths Airflow 3 removed
// (src/core/airflow/moved-imports.json, behind PF404 and its fixes) must be exactly what
// scripts/airflow/moved_imports.py reads from Airflow 2.10's shims and verifies against Airflow 3.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const FILE = 'src/core/airflow/moved-imports.json';
const REGENERATE = `sh scripts/airflow/provision.sh | sort | { read v2 py2; read v3 py3; "$py3" scripts/airflow/moved_imports.py "$py2" > ${FILE}; }`;

function airflowPythons(): Record<string, string> {
  const lines = execFileSync('sh', ['scripts/airflow/provision.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return Object.fromEntries(lines.trim().split('\n').map((line) => line.split(' ', 2) as [string, string]));
}

const pythons = airflowPythons();
// stderr carries Airflow's own logging and warnings; keep it out of the test output.
const generated = execFileSync(pythons['3'], ['scripts/airflow/moved_imports.py', pythons['2']], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });

describe('removed import paths agree with Apache Airflow 2.10 and 3', () => {
  it(FILE, () => assert.equal(readFileSync(FILE, 'utf8'), generated, `${FILE} is out of date; regenerate it with:\n  ${REGENERATE}`));

  it('has the paths DAG files use most, with the Airflow 3 module for the fix', () => {
    const { modules } = JSON.parse(generated);
    assert.equal(modules['airflow.operators.bash_operator'].BashOperator.airflow3, 'airflow.providers.standard.operators.bash.BashOperator');
    assert.equal(modules['airflow.operators.python_operator'].PythonOperator.airflow3, 'airflow.providers.standard.operators.python.PythonOperator');
    assert.ok(Object.keys(modules).filter((m) => m.startsWith('airflow.contrib.')).length > 100, 'airflow.contrib modules are listed');
  });
});
