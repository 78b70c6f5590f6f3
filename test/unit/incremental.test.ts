// The editor analyses a file again after every edit, replaying the statements the edit did not
// touch (analyze.ts, "Records of statements"). A replay must give exactly what evaluating the
// whole file gives: every check below compares the incremental analysis of an edited text with a
// fresh analysis of the same text, after chains of edits such as typing and undoing produce.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { generateDagFile } from '../../bench/generate';
import { checkFile, type CheckedFile } from '../../src/core/check';
import { parseFile } from '../../src/core/dag/analyze';
import { earlierVersion } from '../../src/core/dag/model';
import { pythonFilesIn } from '../../src/node/files';

const FILES = pythonFilesIn(['examples/dags', 'test/fixtures', 'test/fidelity/corpus']);
// A fixed "now" turns on the rules that render templates and list runs, whose caches reuse models.
const NOW = Date.UTC(2024, 6, 1, 12);

type Edit = (text: string) => string;

/** Edits as typing makes them, spread over the text: a character typed, one deleted, a line doubled or removed. */
function editsOf(text: string, count: number): Edit[] {
  const step = Math.max(1, Math.floor(text.length / count));
  const edits: Edit[] = [];
  for (let at = step >> 1; at < text.length; at += step) {
    edits.push((t) => t.slice(0, Math.min(at, t.length)) + 'x' + t.slice(Math.min(at, t.length)));
    edits.push((t) => t.slice(0, at) + t.slice(at + 1));
    edits.push((t) => {
      const lineStart = t.lastIndexOf('\n', at - 1) + 1;
      const lineEnd = t.indexOf('\n', at);
      const line = t.slice(lineStart, lineEnd < 0 ? t.length : lineEnd + 1);
      return edits.length % 2 ? t.slice(0, lineStart) + line + t.slice(lineStart) : t.slice(0, lineStart) + t.slice(lineStart + line.length);
    });
  }
  return edits;
}

/**
 * Checks `text`, then each edited version in turn with the previous check as its base, and at the
 * end the original text again: each incremental check must equal a fresh check of the same text.
 */
function check(file: string, text: string, edits: readonly Edit[]): void {
  let previous: CheckedFile = checkFile({ file, text, incremental: {} }, undefined, NOW);
  let current = text;
  for (const edit of [...edits, () => text]) {
    current = edit(current);
    const parsed = parseFile(current);
    const incremental = checkFile({ file, text: current, parsed, incremental: { previous } }, undefined, NOW);
    const fresh = checkFile({ file, text: current, parsed }, undefined, NOW);
    assert.deepStrictEqual(incremental.model, fresh.model, `the model after an edit of ${file}`);
    assert.deepStrictEqual(incremental.diagnostics, fresh.diagnostics, `the diagnostics after an edit of ${file}`);
    previous = incremental;
  }
}

describe('incremental analysis', () => {
  for (const file of FILES) {
    it(`equals a fresh analysis after chains of edits of ${file}`, () => {
      const text = readFileSync(file, 'utf8');
      const edits = editsOf(text, 4);
      // Chains of three edits each, so that replays of replayed statements are checked too.
      for (let i = 0; i < edits.length; i += 3) check(file, text, edits.slice(i, i + 3));
    });
  }

  it('equals a fresh analysis of a generated 200-task DAG after edits anywhere', () => {
    const text = generateDagFile(200);
    check('generated.py', text, editsOf(text, 10));
  });

  it('equals a fresh analysis when the tasks an edit moves have problems of their own', () => {
    // Each rule that reads one task at a time, with and without a fix, on tasks after the edits.
    const problems = [
      '    bad_types = BashOperator(task_id="bad_types", bash_command="echo", retries="three", trigger_rule="all_sucess", email_on_failure="yes")',
      '    bad_names = EmptyOperator(task_id="bad_names", retires=2, zzz_unknown=1)',
      '    bad_legacy = PythonOperator(task_id="bad_legacy", python_callable=work, provide_context=True, task_concurrency=2)',
      '    bad_template = EmptyOperator(task_id="bad_template", owner="{{ ds }}")',
      '    bad_clock = BashOperator(task_id="bad_clock", bash_command="echo", start_date=pendulum.now(), params={"at": [pendulum.now()]})',
    ];
    const text = `${generateDagFile(60)}${problems.join('\n')}\n`;
    const fresh = checkFile({ file: 'generated.py', text }, undefined, NOW);
    const codes = new Set(fresh.diagnostics.filter((d) => d.range.from > text.indexOf('bad_types')).map((d) => d.code));
    assert.deepEqual([...codes].sort(), ['PF102', 'PF103', 'PF105', 'PF203', 'PF405', 'PF602']);
    check('generated.py', text, editsOf(text, 10));
  });

  it('equals a fresh analysis when the tasks an edit moves share the ranges of a dict', () => {
    // The arguments `**common` passes are the dict's own entries, written once, after the edits;
    // so is the value of op_kwargs. An edit of the def re-evaluates the tasks that call it and
    // keeps the others in place, so a statement replayed and one kept in place share the dict.
    const shared = [
      '    common = {"retries": 1, "owner": "{{ ds }}", "pool": "p"}',
      '    first_shared = EmptyOperator(task_id="first_shared", **common)',
      '    second_shared = BashOperator(task_id="second_shared", bash_command="echo", **common)',
      '    third_shared = PythonOperator(task_id="third_shared", python_callable=work, op_kwargs=common, **common)',
      '    first_shared >> second_shared >> third_shared',
    ];
    const text = `${generateDagFile(60)}${shared.join('\n')}\n`;
    check('generated.py', text, editsOf(text, 10));
  });

  it('keeps the models of the tasks before an edit and links those after it to their earlier versions', () => {
    const text = generateDagFile(100);
    const before = checkFile({ file: 'generated.py', text, incremental: {} });
    const at = text.indexOf('task_50 = ') + 'task_5'.length;
    const edited = text.slice(0, at) + 'x' + text.slice(at);
    const after = checkFile({ file: 'generated.py', text: edited, incremental: { previous: before } });
    const [oldTasks, newTasks] = [before.model.dags[0].tasks, after.model.dags[0].tasks];
    assert.equal(newTasks.length, 100);
    // Before the edit, unchanged and unmoved: the same objects, so that every cache keyed by them
    // is still valid. Only the tasks connected to the renamed one changed (`task_40 >> [task_41, task_42] >> task_50`).
    const touched = (i: number) => [...oldTasks[i].upstream, ...oldTasks[i].downstream].includes('task_50');
    const kept = newTasks.slice(0, 50).map((task, i) => task === oldTasks[i]);
    assert.deepEqual(kept, kept.map((_, i) => !touched(i)));
    assert.deepEqual(kept.flatMap((same, i) => (same ? [] : [oldTasks[i].taskId])), ['task_41', 'task_42']);
    // Moved by the edit: new objects, equal but for positions, each linked to the one it replaces.
    const moved = newTasks.slice(52).filter((task) => earlierVersion(task, after.model.dags[0]) === oldTasks[newTasks.indexOf(task)]);
    assert.ok(moved.length >= 45, `${moved.length} of the tasks after the edit are linked to their earlier version`);
    // The three statements that connect the renamed variable now name an undefined one.
    assert.deepEqual(after.model.undefinedTaskReferences.map((r) => r.name), ['task_50', 'task_50', 'task_50']);
    assert.equal(earlierVersion(newTasks[50], after.model.dags[0]), undefined, 'the edited task is analysed anew');
  });
});
