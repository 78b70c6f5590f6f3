// Our cron ticks against croniter's, the library Airflow steps schedules with (recorded by
// test/oracle/cron_ticks.py; test/oracle/cronTicks.test.ts keeps the recording current): the same
// ticks, the same expressions refused, and the same point where croniter finds no more dates.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CronSchedule, isCronError } from '../../src/core/schedule/cron';
import { CronSearchFailure } from '../../src/core/schedule/fastCron';

interface Recorded {
  croniter: string;
  results: { expression: string; from: { start: string; next: string[]; prev: string[] }[] }[];
}

const recorded: Recorded = JSON.parse(readFileSync('test/oracle/cron-expected.json', 'utf8'));
const isTick = (entry: string) => /^\d{4}-/.test(entry);

/** Up to `count` ticks from a naive start, as croniter writes them, ending with the failure's name. */
function ours(cron: CronSchedule, start: string, count: number, backwards: boolean): string[] {
  const found: string[] = [];
  let t = Date.parse(`${start}Z`);
  try {
    for (let i = 0; i < count; i++) {
      t = backwards ? cron.prevWall(t) : cron.nextWall(t);
      found.push(new Date(t).toISOString().slice(0, 19));
    }
  } catch (error) {
    if (!(error instanceof CronSearchFailure)) throw error;
    found.push(error.name);
  }
  return found;
}

describe(`cron ticks agree with croniter ${recorded.croniter}`, () => {
  for (const { expression, from } of recorded.results) {
    it(expression, () => {
      const cron = CronSchedule.parse(expression);
      const refused = !from[0].next.some(isTick) && from[0].next[0] !== 'CroniterBadDateError';
      if (refused) {
        assert.ok(isCronError(cron) && !cron.unsupported, `croniter refuses it (${from[0].next[0]}); so must we`);
        return;
      }
      if (isCronError(cron)) assert.fail(`we refuse what croniter accepts: ${cron.message}`);
      for (const { start, next, prev } of from) {
        assert.deepEqual(ours(cron, start, next.filter(isTick).length + 1, false).slice(0, next.length), next, `after ${start}`);
        assert.deepEqual(ours(cron, start, prev.filter(isTick).length + 1, true).slice(0, prev.length), prev, `before ${start}`);
      }
    });
  }
});
