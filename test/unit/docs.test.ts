// Every rule has its page in docs/rules.md, and every page belongs to a rule.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { RULES } from '../../src/core/rules/rules';

it('docs/rules.md has one section per rule code', () => {
  const documented = [...readFileSync('docs/rules.md', 'utf8').matchAll(/^## (PF\d{3}) /gm)].map((m) => m[1]);
  assert.deepEqual(documented, Object.keys(RULES));
});
