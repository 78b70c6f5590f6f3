// The analyser runs on every keystroke: whatever the text, it must return a model and never throw.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { checkFile, type CheckedFile } from '../../src/core/check';
import { ANALYSIS_LIMITS } from '../../src/core/dag/analyze';
import { pythonFilesIn } from '../../src/node/files';

const FILES = pythonFilesIn(['examples/dags', 'test/fixtures']);

/** Variants of a text as typing produces them: cut short, a character lost, a line doubled. */
function* mutations(text: string, step: number): Generator<string> {
  const lines = text.split('\n');
  for (let offset = 0; offset < text.length; offset += step) {
    yield text.slice(0, offset);
    yield text.slice(0, offset) + text.slice(offset + 1);
    yield text.slice(0, offset) + text[offset] + text.slice(offset);
  }
  for (let line = 0; line < lines.length; line++) {
    yield [...lines.slice(0, line), ...lines.slice(line + 1)].join('\n');
    yield [...lines.slice(0, line + 1), ...lines.slice(line)].join('\n');
  }
}

/**
 * Files that would make a naive interpreter loop or recurse for ever, and whether they reach the
 * analyser's work limits (ANALYSIS_LIMITS). The limits count work instead of timing it: whatever the
 * machine, each file is analysed within them, and one that reaches them says so (PF002).
 */
const ADVERSARIAL: Record<string, { readonly text: string; readonly exhausted: boolean }> = {
  'a loop over a huge range': { exhausted: false, text: 'from airflow import DAG\nfrom airflow.operators.empty import EmptyOperator\nwith DAG("d"):\n    for i in range(10**9):\n        EmptyOperator(task_id=f"t{i}")\n    for i in range(100000000):\n        EmptyOperator(task_id=f"u{i}")\n' },
  'nested loops': { exhausted: true, text: 'from airflow import DAG\nfrom airflow.operators.empty import EmptyOperator\nwith DAG("d"):\n    for a in range(1000):\n        for b in range(1000):\n            for c in range(1000):\n                EmptyOperator(task_id=f"t{a}_{b}_{c}")\n' },
  'nested comprehensions': { exhausted: true, text: 'X = [[[i * j * k for i in range(1000)] for j in range(1000)] for k in range(1000)]\n' },
  'a loop with a long body': { exhausted: true, text: `for i in range(10000):\n    x = [${'i, '.repeat(200)}]\n` },
  'unbounded recursion': { exhausted: false, text: 'from airflow import DAG\ndef f(n):\n    return f(n + 1)\nwith DAG("d"):\n    f(0)\n' },
  'a recursion that branches': { exhausted: true, text: 'from airflow import DAG\ndef f(n):\n    f(n)\n    f(n)\n    f(n)\n    f(n)\nwith DAG("d"):\n    f(0)\n' },
  'mutual recursion creating DAGs': { exhausted: false, text: 'from airflow import DAG\ndef a(n):\n    with DAG(f"d{n}"):\n        b(n)\ndef b(n):\n    a(n)\na(0)\n' },
  'a 2,000-deep chain': { exhausted: false, text: `from airflow import DAG\nfrom airflow.operators.empty import EmptyOperator\nwith DAG("d"):\n    t = EmptyOperator(task_id="t")\n    t${' >> t'.repeat(2000)}\n` },
  'deeply nested brackets': { exhausted: false, text: `x = ${'['.repeat(3000)}${']'.repeat(3000)}\n` },
  'unclosed brackets everywhere': { exhausted: false, text: `from airflow import DAG\n${'with DAG("d", (\n'.repeat(200)}` },
};

/** The analysis stayed within every limit; `exhausted` says whether it had to stop at one. */
function assertWithinLimits(checked: CheckedFile, exhausted: boolean): void {
  const { work } = checked.model;
  assert.ok(work.steps <= ANALYSIS_LIMITS.steps, `${work.steps} evaluation steps`);
  assert.ok(work.loopIterations <= ANALYSIS_LIMITS.loopIterations, `${work.loopIterations} loop iterations`);
  assert.equal(work.exhausted, exhausted, exhausted ? 'the file reaches a limit' : 'the file is analysed to its end');
  assert.equal(checked.diagnostics.filter((d) => d.code === 'PF002').length, exhausted ? 1 : 0, 'reaching a limit is reported once');
}

describe('analyser limits', () => {
  for (const [name, { text, exhausted }] of Object.entries(ADVERSARIAL)) {
    it(`returns on ${name}${exhausted ? ', stopped at a limit' : ''}`, () => {
      const checked = checkFile({ file: 'adversarial.py', text }, 3);
      assert.deepEqual(checked.diagnostics.filter((d) => d.code === 'PF000'), []);
      assertWithinLimits(checked, exhausted);
    });
  }
});

describe('analyser robustness', () => {
  for (const file of FILES) {
    it(`never throws on mutations of ${file}`, () => {
      const text = readFileSync(file, 'utf8');
      let count = 0;
      for (const variant of mutations(text, 100)) {
        for (const airflow of [2, 3] as const) {
          const checked = checkFile({ file, text: variant }, airflow);
          assert.ok(Array.isArray(checked.model.dags));
          assert.deepEqual(checked.diagnostics.filter((d) => d.code === 'PF000'), [], 'no internal analyser failure');
          assertWithinLimits(checked, false);
          for (const d of checked.diagnostics) assert.ok(0 <= d.range.from && d.range.from <= d.range.to && d.range.to <= variant.length);
        }
        count++;
      }
      assert.ok(count >= 3 * Math.ceil(text.length / 100), 'each 100th offset was cut, and a character deleted and doubled there');
    });
  }
});
