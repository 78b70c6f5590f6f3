// The analyser runs on every keystroke: whatever the text, it must return a model and never throw.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analyzeDagFile } from '../../src/core/dag/analyze';
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

describe('analyser robustness', () => {
  for (const file of FILES) {
    it(`never throws on mutations of ${file}`, () => {
      const text = readFileSync(file, 'utf8');
      let count = 0;
      for (const variant of mutations(text, 100)) {
        const model = analyzeDagFile(variant);
        assert.ok(Array.isArray(model.dags) && Array.isArray(model.diagnostics));
        assert.deepEqual(model.diagnostics.filter((d) => d.code === 'PF000'), [], 'no internal analyser failure');
        for (const d of model.diagnostics) assert.ok(d.range.from <= d.range.to && d.range.to <= variant.length);
        count++;
      }
      assert.ok(count > 10);
    });
  }
});
