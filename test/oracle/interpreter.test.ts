// The "auto" Airflow version reads the version installed in the user's interpreter: checked against
// real interpreters with Airflow 2.10 and 3.x, and one without Airflow.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { it } from 'node:test';
import { installedAirflowVersion } from '../../src/node/python';

const pythons = Object.fromEntries(execFileSync('sh', ['scripts/airflow/provision.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  .trim().split('\n').map((line) => line.split(' ', 2) as [string, string]));

it('reads the apache-airflow version of an interpreter without importing Airflow', async () => {
  assert.match((await installedAirflowVersion(pythons['2'])) ?? '', /^2\.10\.\d+$/);
  assert.match((await installedAirflowVersion(pythons['3'])) ?? '', /^3\.\d+\.\d+$/);
  assert.equal(await installedAirflowVersion('python3'), undefined, 'the system Python has no Airflow');
  assert.equal(await installedAirflowVersion('/no/such/python'), undefined);
});
