// Real Airflow renders the template cases again, and the recordings our renderer will be compared
// with (test/oracle/render-expected-*.json) must be exactly what it says now.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';

const CASES = 'test/oracle/render-cases.json';
const pythons = Object.fromEntries(execFileSync('sh', ['scripts/airflow/provision.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  .trim().split('\n').map((line) => line.split(' ', 2) as [string, string]));

for (const version of ['2', '3']) {
  it(`the recorded renderings are what Airflow ${version} renders`, () => {
    const expectedFile = `test/oracle/render-expected-${version}.json`;
    const live = JSON.parse(execFileSync(pythons[version], ['test/oracle/render.py', CASES], { encoding: 'utf8', maxBuffer: 64 << 20 }));
    assert.deepEqual(live, JSON.parse(readFileSync(expectedFile, 'utf8')),
      `${expectedFile} is out of date: regenerate it with \`${pythons[version]} test/oracle/render.py ${CASES} > ${expectedFile}\``);
  });
}
