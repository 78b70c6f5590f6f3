// The cron stepper must agree with cron-parser, the reference, tick for tick on random plain
// expressions that both read the same way (fixed seed, so a failure reproduces), stepped forwards
// and backwards. Where croniter's syntax differs, test/oracle/cron_ticks.py's recordings are the reference.
import * as assert from 'node:assert/strict';
import { it } from 'node:test';
import { CronSchedule, isCronError } from '../../src/core/schedule/cron';

function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function field(next: () => number, min: number, max: number, names: readonly string[] = []): string {
  const pick = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  // Ranges with two different ends: croniter 7 reads an equal range (`4-4`) as the whole cycle,
  // cron-parser as one value (test/unit/schedule.test.ts pins croniter's reading).
  const a = pick(min, max - 1);
  const b = pick(a + 1, max);
  switch (Math.floor(next() * 7)) {
    case 0: return '*';
    case 1: return `*/${pick(2, Math.max(2, Math.floor((max - min) / 2)))}`;
    case 2: return String(a);
    case 3: return `${a},${b === a ? pick(min, max) : b}`;
    case 4: return `${a}-${b}`;
    case 5: return `${a}-${b}/${pick(2, 5)}`;
    default: return names.length > 0 ? names[Math.floor(next() * names.length)] : String(a);
  }
}

it('agrees with cron-parser on 300 random expressions, forwards and backwards', () => {
  const next = random(20261125);
  let compared = 0;
  for (let i = 0; i < 300; i++) {
    const fields = [
      field(next, 0, 59), field(next, 0, 23), field(next, 1, 28),
      field(next, 1, 12, ['JAN', 'MAR-MAY', 'JUN,DEC']), field(next, 0, 6, ['MON-FRI', 'SAT,SUN', '7', 'WED']),
    ];
    if (next() < 0.2) fields.push(field(next, 0, 59));
    const expression = fields.join(' ');
    const cron = CronSchedule.parse(expression);
    if (isCronError(cron)) continue;
    let forward = Date.UTC(2000 + Math.floor(next() * 40), Math.floor(next() * 12), 1 + Math.floor(next() * 28), Math.floor(next() * 24), Math.floor(next() * 60));
    let backward = forward;
    for (let step = 0; step < 40; step++) {
      const ours = cron.nextWall(forward);
      assert.equal(new Date(ours).toISOString(), new Date(cron.referenceNextWall(forward)).toISOString(), `${expression} after ${new Date(forward).toISOString()}`);
      forward = ours;
      const oursBack = cron.prevWall(backward);
      assert.equal(new Date(oursBack).toISOString(), new Date(cron.referencePrevWall(backward)).toISOString(), `${expression} before ${new Date(backward).toISOString()}`);
      backward = oursBack;
      compared += 2;
    }
  }
  assert.ok(compared > 10_000, `${compared} ticks compared`);
});
