// Our runs against what real Airflow 2.10 and 3.x computed for the same DAG files and "now"
// (recorded by test/oracle/schedule.py; test/oracle/schedule.test.ts keeps the recordings current).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ourAnswer, readCases, readExpected } from '../shared/scheduleCases';

for (const version of [2, 3] as const) {
  const expected = readExpected(version);
  describe(`schedules agree with Apache Airflow ${expected.airflow}`, () => {
    for (const scheduleCase of readCases()) {
      it(scheduleCase.name, () => {
        const theirs = expected.results.find((r) => r.name === scheduleCase.name);
        assert.ok(theirs, `Airflow ${version} answered ${scheduleCase.name}`);
        const ours = ourAnswer(scheduleCase, version);
        if (theirs.error) {
          assert.ok(ours.failed, `Airflow fails (${theirs.error}); so must we`);
          // When the scheduler fails part way (croniter runs out of ticks), the runs before it still count.
          if (theirs.timetable && ours.timetable) assert.deepEqual({ timetable: ours.timetable, due: ours.due }, { timetable: theirs.timetable, due: theirs.due });
          return;
        }
        assert.equal(ours.error, null, `we fail (${ours.error}) where Airflow schedules`);
        assert.deepEqual({ timetable: ours.timetable, due: ours.due, next: ours.next }, { timetable: theirs.timetable, due: theirs.due, next: theirs.next });
      });
    }
  });
}
