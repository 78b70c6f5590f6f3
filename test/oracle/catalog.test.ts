// Real Apache Airflow is the oracle: the parameter catalogues in src/core/airflow/catalog-<2|3>.json
// (DAG / BaseOperator / operator / @task.X parameters, trigger rules, context keys) must be exactly
// what scripts/airflow/catalog.py extracts from the cached venvs of scripts/airflow/provision.sh,
// so the data the diagnostics, hovers and completions use can never drift from Airflow.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';

const REGENERATE =
  'sh scripts/airflow/provision.sh | while read v py; do "$py" scripts/airflow/catalog.py > src/core/airflow/catalog-$v.json; done';

function airflowPythons(): Record<string, string> {
  const lines = execFileSync('sh', ['scripts/airflow/provision.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return Object.fromEntries(lines.trim().split('\n').map((line) => line.split(' ', 2) as [string, string]));
}

function generate(python: string): unknown {
  // stderr carries Airflow's own logging and warnings; keep it out of the test output.
  const json = execFileSync(python, ['scripts/airflow/catalog.py'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(json);
}

const pythons = airflowPythons();

for (const version of ['2', '3'] as const) {
  const file = `src/core/airflow/catalog-${version}.json`;
  const generated = generate(pythons[version]) as { airflow: string; operators: Record<string, unknown> };
  describe(`parameter catalogue agrees with Apache Airflow ${generated.airflow}`, () => {
    it(file, () => {
      const committed = JSON.parse(readFileSync(file, 'utf8'));
      assert.deepEqual(
        committed,
        generated,
        `${file} is out of date with Apache Airflow ${generated.airflow}; regenerate both catalogues with:\n  ${REGENERATE}`,
      );
    });

    it('is pretty-printed as catalog.py prints it', (t) => {
      if (!isDeepStrictEqual(JSON.parse(readFileSync(file, 'utf8')), generated)) {
        t.skip('the content differs (see above)');
        return;
      }
      assert.equal(readFileSync(file, 'utf8'), `${JSON.stringify(sortKeys(generated), null, 1)}\n`, `regenerate with:\n  ${REGENERATE}`);
    });

    it('lists the operators Airflow has', () => {
      assert.ok(Object.keys(generated.operators).length >= 20, 'operators were found');
    });
  });
}

/** Deep copy with object keys sorted, as Python's json.dumps(sort_keys=True). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
