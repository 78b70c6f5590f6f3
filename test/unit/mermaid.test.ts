import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analyzeDagFile } from '../../src/core/dag/analyze';
import { COLLAPSE_THRESHOLD, dagMermaid, graphInputFromModel, STATE_COLOURS, worstState, type GraphInput, type GraphOptions, type GraphTask } from '../../src/core/graph/mermaid';
import { RunStatesError, statesFromRunReport } from '../../src/core/graph/runStates';

/** Asserts the exact Mermaid text of `input`, given as lines. */
function check(input: GraphInput, expected: readonly string[], options?: GraphOptions): void {
  assert.equal(dagMermaid(input, options).text, expected.join('\n') + '\n');
}

const task = (taskId: string, upstream: string[] = [], extra: Partial<GraphTask> = {}): GraphTask => ({ taskId, operator: 'EmptyOperator', upstream, mapped: false, ...extra });

/** `t1 >> [t2, t3]`, t3 mapped and in the TaskGroup `grp`, and t4 after both. */
const SMALL: GraphInput = {
  dagId: 'small',
  groups: [{ groupId: 'grp' }],
  tasks: [
    task('t1', [], { operator: 'BashOperator' }),
    task('t2', ['t1']),
    task('grp.t3', ['t1'], { operator: 'PythonOperator', mapped: true, group: 'grp' }),
    task('t4', ['t2', 'grp.t3']),
  ],
};

/** The lines dagMermaid writes, one pattern each; a label is `LABEL` (checked apart). */
const GENERATED_LINE = [
  /^flowchart (LR|TB)$/,
  /^ *n\d+\["(?<label>[^"]*)"\]$/,
  /^ *n\d+\[\["(?<label>[^"]*)"\]\]$/,
  /^ *g\d+\(\["(?<label>[^"]*)"\]\)$/,
  /^ *subgraph g\d+\["(?<label>[^"]*)"\]$/,
  /^ *end$/,
  /^ *[ng]\d+ --> [ng]\d+$/,
  /^ {2}classDef state_[a-z_]+ fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6},color:#[0-9a-f]{6}$/,
  /^ {2}class [ng]\d+(,[ng]\d+)* state_[a-z_]+$/,
];

/** Mermaid's entity codes back to characters, as Mermaid decodes them before drawing. */
function decodeEntities(label: string): string {
  const named: Record<string, string> = { quot: '"', lt: '<', gt: '>', amp: '&' };
  return label.replace(/#(\w+);/g, (_, code: string) => (/^\d+$/.test(code) ? String.fromCodePoint(Number(code)) : named[code]));
}

/** Every line of `text` is one dagMermaid writes; returns the labels, each split at the generated line break. */
function generatedLabels(text: string): string[][] {
  const labels: string[][] = [];
  for (const line of text.trimEnd().split('\n')) {
    const match = GENERATED_LINE.map((pattern) => pattern.exec(line)).find((m) => m !== null);
    assert.ok(match, `a line dagMermaid does not write: ${JSON.stringify(line)}`);
    if (match.groups?.label === undefined) continue;
    const parts = match.groups.label.split('<br>');
    // Outside its entity codes, a label has nothing Mermaid or HTML would read as markup.
    for (const part of parts) assert.doesNotMatch(part.replace(/#\w+;/g, ''), /["<>`;:%#&\n\r\u2028]/, `raw markup in the label ${JSON.stringify(part)}`);
    labels.push(parts.map(decodeEntities));
  }
  return labels;
}

const HOSTILE_IDS = [
  'x"]; click x call alert(1) %%',
  '<img src=x onerror=alert(1)>',
  '`**bold**` and `code`',
  'a#quot;b #35; #',
  'semi;colon',
  'two\nlines\r\nand\u2028more',
  '%%{init: {"securityLevel": "loose"}}%%',
  'style n0 fill:#f00;',
  'n0 --> n1',
  'end',
  ']]])',
];

describe('dagMermaid', () => {
  it('draws a small DAG: a node per task with its operator, a TaskGroup as a subgraph, a mapped task, the edges', () => {
    check(SMALL, [
      'flowchart LR',
      '  n0["t1<br>BashOperator"]',
      '  n1["t2<br>EmptyOperator"]',
      '  n3["t4<br>EmptyOperator"]',
      '  subgraph g0["grp"]',
      '    n2[["grp.t3<br>PythonOperator [ ]"]]',
      '  end',
      '  n0 --> n1',
      '  n0 --> n2',
      '  n1 --> n3',
      '  n2 --> n3',
    ]);
    assert.deepEqual(dagMermaid(SMALL).nodeIds, { t1: 'n0', t2: 'n1', 'grp.t3': 'n2', t4: 'n3' });
    assert.equal(dagMermaid(SMALL).collapsed, false);
  });

  it('nests subgraphs as the groups nest, labelled without their parent\'s prefix, and draws top to bottom on request', () => {
    const input: GraphInput = {
      dagId: 'nested',
      groups: [{ groupId: 'outer' }, { groupId: 'outer.inner', parentId: 'outer' }, { groupId: 'empty' }],
      tasks: [task('outer.a', [], { group: 'outer' }), task('outer.inner.b', ['outer.a'], { group: 'outer.inner' })],
    };
    check(input, [
      'flowchart TB',
      '  subgraph g0["outer"]',
      '    n0["outer.a<br>EmptyOperator"]',
      '    subgraph g1["inner"]',
      '      n1["outer.inner.b<br>EmptyOperator"]',
      '    end',
      '  end',
      '  n0 --> n1',
    ], { direction: 'TB' });
  });

  it('gives each state one classDef in Airflow\'s colours and a class line listing its tasks', () => {
    check(SMALL, [
      'flowchart LR',
      '  n0["t1<br>BashOperator"]',
      '  n1["t2<br>EmptyOperator"]',
      '  n3["t4<br>EmptyOperator"]',
      '  subgraph g0["grp"]',
      '    n2[["grp.t3<br>PythonOperator [ ]"]]',
      '  end',
      '  n0 --> n1',
      '  n0 --> n2',
      '  n1 --> n3',
      '  n2 --> n3',
      '  classDef state_failed fill:#ff0000,stroke:#c70000,color:#000000',
      '  class n2 state_failed',
      '  classDef state_upstream_failed fill:#ffa500,stroke:#cc8400,color:#000000',
      '  class n3 state_upstream_failed',
      '  classDef state_success fill:#008000,stroke:#006100,color:#ffffff',
      '  class n0,n1 state_success',
    ], { states: { t1: 'success', t2: 'success', 'grp.t3': 'failed', t4: 'upstream_failed' } });
  });

  it('draws every hostile task id, operator and group id as inert text: only its own lines, labels of entity codes', () => {
    const input: GraphInput = {
      dagId: 'hostile',
      groups: HOSTILE_IDS.map((groupId) => ({ groupId: `g ${groupId}` })),
      tasks: HOSTILE_IDS.flatMap((id, i) => [
        task(id, i > 0 ? [HOSTILE_IDS[i - 1]] : [], { operator: id }),
        task(`in ${id}`, [id], { group: `g ${id}`, mapped: true }),
      ]),
    };
    const states = Object.fromEntries(HOSTILE_IDS.map((id) => [id, 'running' as const]));
    for (const options of [{ states }, { states, collapseGroups: true }]) {
      const { text, nodeIds } = dagMermaid(input, options);
      const labels = generatedLabels(text);
      for (const id of HOSTILE_IDS) {
        assert.ok(labels.some((l) => l[0] === id && l[1] === id), `the task ${JSON.stringify(id)} is drawn with its id and operator`);
        assert.ok(labels.some((l) => l[0] === `g ${id}`), `the group ${JSON.stringify(id)} is drawn with its id`);
      }
      assert.ok(Object.values(nodeIds).every((nodeId) => /^[ng]\d+$/.test(nodeId)), 'node ids are generated, never task ids');
      assert.doesNotMatch(text, /^\s*(click|style|linkStyle|%%)/m);
    }
  });

  it('collapses each top-level group into one node past the threshold, in its worst state, and says so', () => {
    const groupSize = 100;
    const tasks: GraphTask[] = [task('start')];
    for (const group of ['a', 'b', 'c', 'd']) {
      for (let i = 0; i < groupSize; i++) {
        const parent = i < groupSize / 2 ? group : `${group}.sub`;
        tasks.push(task(`${parent}.t${i}`, [i === 0 ? 'start' : `${i - 1 < groupSize / 2 ? group : `${group}.sub`}.t${i - 1}`], { group: parent }));
      }
    }
    tasks.push(task('end', ['a.sub.t99', 'b.sub.t99']));
    const groups = ['a', 'b', 'c', 'd'].flatMap((g) => [{ groupId: g }, { groupId: `${g}.sub`, parentId: g }]);
    const input: GraphInput = { dagId: 'large', tasks, groups };
    assert.ok(tasks.length > COLLAPSE_THRESHOLD);
    const states = { 'a.t3': 'success', 'a.sub.t70': 'failed', 'b.t1': 'running', 'b.t2': 'success', start: 'success' } as const;
    check(input, [
      'flowchart LR',
      '  n0["start<br>EmptyOperator"]',
      `  n${tasks.length - 1}["end<br>EmptyOperator"]`,
      '  g0(["a<br>100 tasks"])',
      '  g2(["b<br>100 tasks"])',
      '  g4(["c<br>100 tasks"])',
      '  g6(["d<br>100 tasks"])',
      '  n0 --> g0',
      '  n0 --> g2',
      '  n0 --> g4',
      '  n0 --> g6',
      `  g0 --> n${tasks.length - 1}`,
      `  g2 --> n${tasks.length - 1}`,
      '  classDef state_failed fill:#ff0000,stroke:#c70000,color:#000000',
      '  class g0 state_failed',
      '  classDef state_running fill:#00ff00,stroke:#00ad00,color:#000000',
      '  class g2 state_running',
      '  classDef state_success fill:#008000,stroke:#006100,color:#ffffff',
      '  class n0 state_success',
    ], { states });
    const result = dagMermaid(input);
    assert.equal(result.collapsed, true);
    assert.equal(result.nodeIds['a.sub.t70'], 'g0');
    assert.equal(dagMermaid(input, { collapseGroups: false }).collapsed, false);
    assert.match(dagMermaid(input, { collapseGroups: false }).text, /subgraph g1\["sub"\]/);
    // Without TaskGroups there is nothing to collapse, however large the DAG.
    const flat = dagMermaid({ dagId: 'flat', tasks: tasks.map(({ group: _group, ...rest }) => rest) });
    assert.equal(flat.collapsed, false);
  });

  it('collapses a small DAG on request', () => {
    check(SMALL, [
      'flowchart LR',
      '  n0["t1<br>BashOperator"]',
      '  n1["t2<br>EmptyOperator"]',
      '  n3["t4<br>EmptyOperator"]',
      '  g0(["grp<br>1 task"])',
      '  n0 --> n1',
      '  n0 --> g0',
      '  n1 --> n3',
      '  g0 --> n3',
    ], { collapseGroups: true });
  });

  it('draws a task id defined twice once, and ignores upstream ids no task has', () => {
    check({ dagId: 'd', tasks: [task('a'), task('a', ['b']), task('c', ['a', 'missing'])] }, [
      'flowchart LR',
      '  n0["a<br>EmptyOperator"]',
      '  n1["c<br>EmptyOperator"]',
      '  n0 --> n1',
    ]);
  });
});

describe('graphInputFromModel', () => {
  it('takes the tasks, edges, groups and mapping of a DAG file', () => {
    const [dag] = analyzeDagFile(readFileSync('test/fixtures/inspect/groups_and_mapping.py', 'utf8')).dags;
    assert.deepEqual(graphInputFromModel(dag), {
      dagId: 'groups_and_mapping',
      tasks: [
        { taskId: 'start', operator: 'EmptyOperator', upstream: [], group: undefined, mapped: false },
        { taskId: 'load.copy', operator: 'BashOperator', upstream: ['start'], group: 'load', mapped: true },
        { taskId: 'load.check', operator: 'BashOperator', upstream: ['load.copy'], group: 'load', mapped: false },
        { taskId: 'end', operator: 'EmptyOperator', upstream: ['load.check'], group: undefined, mapped: false },
      ],
      groups: [{ groupId: 'load', parentId: undefined }],
    });
  });
});

describe('STATE_COLOURS', () => {
  const luminance = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a: string, b: string) => {
    const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (high + 0.05) / (low + 0.05);
  };

  it('keeps text readable on every fill, outlines on light themes and fills on dark ones', () => {
    for (const [state, { fill, stroke, text }] of Object.entries(STATE_COLOURS)) {
      assert.ok(contrast(text, fill) >= 4.5, `${state}: text on fill`);
      assert.ok(contrast(stroke, '#ffffff') >= 3, `${state}: outline on a light background`);
      assert.ok(contrast(fill, '#1e1e1e') >= 3, `${state}: fill on a dark background`);
    }
  });
});

describe('statesFromRunReport', () => {
  const run = (tasks: { task_id: string; state: string }[]) => ({ run_id: 'r', tasks });

  it('takes the last run of the DAG, from one result or a list of them', () => {
    const older = { dag_id: 'd', runs: [run([{ task_id: 'a', state: 'failed' }]), run([{ task_id: 'a', state: 'success' }])] };
    assert.deepEqual(statesFromRunReport(older, 'd'), { a: 'success' });
    const other = { dag_id: 'e', runs: [run([{ task_id: 'a', state: 'skipped' }])] };
    assert.deepEqual(statesFromRunReport([older, { dag_id: 'd', runs: [run([{ task_id: 'a', state: 'up_for_retry' }])] }, other], 'd'), { a: 'up_for_retry' });
  });

  it('rejects what is not a run result, a result of another DAG and unknown states', () => {
    assert.throws(() => statesFromRunReport({ runs: [] }, 'd'), RunStatesError);
    assert.throws(() => statesFromRunReport({ dag_id: 'e', runs: [run([])] }, 'd'), /no run of DAG 'd'/);
    assert.throws(() => statesFromRunReport({ dag_id: 'd', runs: [run([{ task_id: 'a', state: 'exploded' }])] }, 'd'), RunStatesError);
  });
});

describe('the state of a collapsed TaskGroup', () => {
  it('is the worst of its tasks\' states in Airflow\'s priority order, and none without states', () => {
    assert.equal(worstState(['success', 'running', 'failed']), 'failed');
    assert.equal(worstState(['success', 'up_for_retry', 'upstream_failed']), 'upstream_failed');
    assert.equal(worstState(['skipped', 'success']), 'success');
    assert.equal(worstState([]), undefined);
  });
});
