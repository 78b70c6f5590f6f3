// Real Airflow answers the schedule cases again, and the recordings the unit tests compare our runs
// with (test/oracle/schedule-expected-*.json) must be exactly what it says now.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { it } from 'node:test';
import { CASES_FILE, expectedFile, readExpected } from '../shared/scheduleCases';

const pythons = Object.fromEntries(execFileSync('sh', ['scripts/airflow/provision.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  .trim().split('\n').map((line) => line.split(' ', 2) as [string, string]));

for (const version of [2, 3] as const) {
  it(`the recorded schedules are what Airflow ${version} computes`, () => {
    const live = JSON.parse(execFileSync(pythons[version], ['test/oracle/schedule.py', CASES_FILE], { encoding: 'utf8', maxBuffer: 64 << 20 }));
    assert.deepEqual(live, readExpected(version),
      `${expectedFile(version)} is out of date: regenerate it with \`${pythons[version]} test/oracle/schedule.py ${CASES_FILE} > ${expectedFile(version)}\``);
  });
}
