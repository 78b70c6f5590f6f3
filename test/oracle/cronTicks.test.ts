// croniter answers the cron cases again, and the recording test/unit/cronOracle.test.ts compares
// our ticks with (test/oracle/cron-expected.json) must be exactly what it says now, in both Airflows.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';

const CASES = 'test/oracle/cron-cases.json';
const EXPECTED = 'test/oracle/cron-expected.json';

const pythons = Object.fromEntries(execFileSync('sh', ['scripts/airflow/provision.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  .trim().split('\n').map((line) => line.split(' ', 2) as [string, string]));

for (const version of [2, 3] as const) {
  it(`the recorded cron ticks are what the croniter of Airflow ${version} computes`, () => {
    const live = JSON.parse(execFileSync(pythons[version], ['test/oracle/cron_ticks.py', CASES], { encoding: 'utf8', maxBuffer: 64 << 20 }));
    assert.deepEqual(live, JSON.parse(readFileSync(EXPECTED, 'utf8')),
      `${EXPECTED} is out of date: regenerate it with \`${pythons[version]} test/oracle/cron_ticks.py ${CASES} > ${EXPECTED}\``);
  });
}
