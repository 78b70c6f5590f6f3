// A DAG as the text of a Mermaid flowchart: a node per task, its edges, TaskGroups as nested
// subgraphs and run states as classes. The CLI prints it and the graph webview draws it, so it is
// pure: user text (task ids, operators, group ids) only ever reaches the output escaped, inside
// the quoted labels this module writes, and no directive (`click`, `style`...) is built from it.
import type { DagModel } from '../dag/model';

export interface GraphTask {
  readonly taskId: string;
  readonly operator: string;
  readonly upstream: readonly string[];
  /** The full id of the innermost TaskGroup the task belongs to. */
  readonly group?: string;
  readonly mapped: boolean;
}

export interface GraphInput {
  readonly dagId: string;
  readonly tasks: readonly GraphTask[];
  /** TaskGroups by full id (`outer.inner`); a group a task names but this list lacks is drawn at the top level. */
  readonly groups?: readonly { readonly groupId: string; readonly parentId?: string }[];
}

/** Airflow's task-instance states; `none` is Airflow's `None`, "no status". */
export type GraphState = 'success' | 'failed' | 'running' | 'queued' | 'scheduled' | 'up_for_retry' | 'upstream_failed' | 'skipped' | 'none' | 'removed';

export interface GraphOptions {
  readonly direction?: 'LR' | 'TB';
  /** Task id → state; tasks without one get no state class. */
  readonly states?: Readonly<Record<string, GraphState>>;
  /** Draw each top-level TaskGroup as one node; default: true past COLLAPSE_THRESHOLD tasks. */
  readonly collapseGroups?: boolean;
}

export interface DagMermaid {
  readonly text: string;
  /** Task id → the Mermaid node that draws it: its own node, or its collapsed group's node. */
  readonly nodeIds: Readonly<Record<string, string>>;
  /** True when at least one TaskGroup was drawn as a single node. */
  readonly collapsed: boolean;
}

/**
 * Above this many tasks, groups collapse unless the caller says otherwise: Mermaid's default
 * layout takes seconds for a few hundred nodes inside nested subgraphs.
 */
export const COLLAPSE_THRESHOLD = 300;

/**
 * Airflow's state colours: the fills are the CSS colours of `STATE_COLORS` in airflow/settings.py
 * (Airflow 2.7+; `none` is `State.state_color[None]`, lightblue). The text colour is whichever of
 * black and white contrasts more with the fill (at least 4.5:1), and the stroke is a darker shade
 * of the fill with at least 3:1 against white, so that light fills keep an outline on light
 * themes; every fill itself has at least 3:1 against a dark editor background (#1e1e1e).
 */
export const STATE_COLOURS: Readonly<Record<GraphState, { readonly fill: string; readonly stroke: string; readonly text: string }>> = {
  success: { fill: '#008000', stroke: '#006100', text: '#ffffff' },
  failed: { fill: '#ff0000', stroke: '#c70000', text: '#000000' },
  running: { fill: '#00ff00', stroke: '#00ad00', text: '#000000' },
  queued: { fill: '#808080', stroke: '#616161', text: '#000000' },
  scheduled: { fill: '#d2b48c', stroke: '#a89070', text: '#000000' },
  up_for_retry: { fill: '#ffd700', stroke: '#ad9200', text: '#000000' },
  upstream_failed: { fill: '#ffa500', stroke: '#cc8400', text: '#000000' },
  skipped: { fill: '#ff69b4', stroke: '#cc5490', text: '#000000' },
  none: { fill: '#add8e6', stroke: '#7997a1', text: '#000000' },
  removed: { fill: '#d3d3d3', stroke: '#949494', text: '#000000' },
};

/**
 * Worst first: the order in which Airflow's grid picks a TaskGroup's state from its tasks'
 * (`state_priority` in airflow/api_fastapi/common/parameters.py), restricted to GraphState.
 */
const STATE_PRIORITY: readonly GraphState[] = ['failed', 'upstream_failed', 'up_for_retry', 'queued', 'scheduled', 'running', 'none', 'success', 'skipped', 'removed'];

/** The Mermaid class of a state; fixed names, never derived from user text. */
export function stateClass(state: GraphState): string {
  return `state_${state}`;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { '"': '#quot;', '<': '#lt;', '>': '#gt;', '&': '#amp;' };

/**
 * User text as the inside of a quoted Mermaid label. Letters, digits and a few punctuation marks
 * stay; everything else becomes a Mermaid entity code (`#quot;`, `#35;`), which Mermaid turns into
 * an HTML entity and so draws as the character itself. This covers what could end the string (`"`),
 * start markup (`<`, backticks for Markdown strings), an entity (`#`, `&`), a comment (`%`), a
 * statement (`;`, newlines) or a `style ...:...#...;` line that Mermaid's preprocessing rewrites (`:`).
 */
export function mermaidLabelText(text: string): string {
  let escaped = '';
  for (const character of text) {
    if (/^[\p{L}\p{N} _.,()/+=*@!?$'-]$/u.test(character)) escaped += character;
    else escaped += NAMED_ENTITIES[character] ?? `#${character.codePointAt(0)};`;
  }
  return escaped;
}

/** The line break between the two lines of a label; Mermaid accepts it in HTML and SVG labels alike. */
const LINE_BREAK = '<br>';

interface GroupNode {
  readonly mermaidId: string;
  readonly groupId: string;
  readonly parentId?: string;
  readonly childGroups: GroupNode[];
  readonly tasks: GraphTask[];
}

/** The groups as a tree, each with its own tasks, and the tasks outside any group. */
function groupTree(input: GraphInput, tasks: readonly GraphTask[]): { readonly topGroups: GroupNode[]; readonly ungrouped: GraphTask[]; readonly byId: ReadonlyMap<string, GroupNode> } {
  const byId = new Map<string, GroupNode>();
  const declare = (groupId: string, parentId?: string) => {
    if (!byId.has(groupId)) byId.set(groupId, { mermaidId: `g${byId.size}`, groupId, parentId, childGroups: [], tasks: [] });
  };
  for (const group of input.groups ?? []) declare(group.groupId, group.parentId);
  for (const task of tasks) if (task.group !== undefined) declare(task.group);
  const topGroups: GroupNode[] = [];
  for (const group of byId.values()) {
    const parent = group.parentId === undefined ? undefined : byId.get(group.parentId);
    // A parent that is missing, or that would make a cycle, leaves the group at the top level.
    if (parent && !isAncestorOrSelf(group, parent, byId)) parent.childGroups.push(group);
    else topGroups.push(group);
  }
  const ungrouped: GraphTask[] = [];
  for (const task of tasks) {
    if (task.group === undefined) ungrouped.push(task);
    else byId.get(task.group)!.tasks.push(task);
  }
  return { topGroups, ungrouped, byId };
}

function isAncestorOrSelf(group: GroupNode, candidate: GroupNode, byId: ReadonlyMap<string, GroupNode>): boolean {
  const seen = new Set<GroupNode>();
  for (let current: GroupNode | undefined = candidate; current && !seen.has(current); current = current.parentId === undefined ? undefined : byId.get(current.parentId)) {
    if (current === group) return true;
    seen.add(current);
  }
  return false;
}

function groupTaskCount(group: GroupNode): number {
  return group.tasks.length + group.childGroups.reduce((n, child) => n + groupTaskCount(child), 0);
}

function groupTasks(group: GroupNode): GraphTask[] {
  return [...group.tasks, ...group.childGroups.flatMap(groupTasks)];
}

/** A group's own name: its full id without its parent's prefix, as Airflow's UI labels it. */
function groupLabel(group: GroupNode): string {
  const prefix = group.parentId === undefined ? '' : `${group.parentId}.`;
  return prefix && group.groupId.startsWith(prefix) ? group.groupId.slice(prefix.length) : group.groupId;
}

/** The state a collapsed TaskGroup shows: the first of its tasks' states in Airflow's priority order. */
export function worstState(states: readonly GraphState[]): GraphState | undefined {
  return STATE_PRIORITY.find((state) => states.includes(state));
}

/** The Mermaid flowchart of a DAG; see GraphOptions for what it can show. */
export function dagMermaid(input: GraphInput, options: GraphOptions = {}): DagMermaid {
  // A task id defined twice (an error the diagnostics report) is drawn once, as first defined.
  const seen = new Set<string>();
  const tasks = input.tasks.filter((task) => !seen.has(task.taskId) && seen.add(task.taskId));
  const states = options.states ?? {};
  const collapse = options.collapseGroups ?? tasks.length > COLLAPSE_THRESHOLD;
  const { topGroups, ungrouped } = groupTree(input, tasks);

  const nodeIds: Record<string, string> = {};
  tasks.forEach((task, index) => (nodeIds[task.taskId] = `n${index}`));
  const lines = [`flowchart ${options.direction ?? 'LR'}`];
  const classMembers = new Map<GraphState, string[]>();
  const addClass = (state: GraphState | undefined, mermaidId: string) => {
    if (state !== undefined) classMembers.set(state, [...(classMembers.get(state) ?? []), mermaidId]);
  };

  const taskLine = (task: GraphTask, indent: string) => {
    const label = `${mermaidLabelText(task.taskId)}${LINE_BREAK}${mermaidLabelText(task.operator)}${task.mapped ? ' [ ]' : ''}`;
    // A mapped task is drawn with Mermaid's double-sided box and `[ ]` after its operator, as Airflow marks it.
    lines.push(task.mapped ? `${indent}${nodeIds[task.taskId]}[["${label}"]]` : `${indent}${nodeIds[task.taskId]}["${label}"]`);
    addClass(states[task.taskId], nodeIds[task.taskId]);
  };
  const subgraphLines = (group: GroupNode, indent: string) => {
    if (groupTaskCount(group) === 0) return;
    lines.push(`${indent}subgraph ${group.mermaidId}["${mermaidLabelText(groupLabel(group))}"]`);
    for (const task of group.tasks) taskLine(task, `${indent}  `);
    for (const child of group.childGroups) subgraphLines(child, `${indent}  `);
    lines.push(`${indent}end`);
  };

  for (const task of ungrouped) taskLine(task, '  ');
  let collapsed = false;
  for (const group of topGroups) {
    if (!collapse) {
      subgraphLines(group, '  ');
      continue;
    }
    const members = groupTasks(group);
    if (members.length === 0) continue;
    collapsed = true;
    for (const task of members) nodeIds[task.taskId] = group.mermaidId;
    const count = `${members.length} task${members.length === 1 ? '' : 's'}`;
    lines.push(`  ${group.mermaidId}(["${mermaidLabelText(groupLabel(group))}${LINE_BREAK}${count}"])`);
    addClass(worstState(members.flatMap((task) => (states[task.taskId] ? [states[task.taskId]] : []))), group.mermaidId);
  }

  // Edges between two tasks of one collapsed group vanish into its node; parallel ones are drawn once.
  const edges = new Set<string>();
  for (const task of tasks) {
    for (const upstream of task.upstream) {
      const from = nodeIds[upstream];
      const to = nodeIds[task.taskId];
      if (from === undefined || from === to) continue;
      const edge = `  ${from} --> ${to}`;
      if (!edges.has(edge)) {
        edges.add(edge);
        lines.push(edge);
      }
    }
  }

  for (const state of STATE_PRIORITY) {
    const members = classMembers.get(state);
    if (!members) continue;
    const { fill, stroke, text } = STATE_COLOURS[state];
    lines.push(`  classDef ${stateClass(state)} fill:${fill},stroke:${stroke},color:${text}`);
    lines.push(`  class ${members.join(',')} ${stateClass(state)}`);
  }
  return { text: lines.join('\n') + '\n', nodeIds, collapsed };
}

/** The part of a DAG's model that the graph draws. */
export function graphInputFromModel(dag: DagModel): GraphInput {
  return {
    dagId: dag.dagId,
    tasks: dag.tasks.map((task) => ({ taskId: task.taskId, operator: task.operator, upstream: task.upstream, group: task.group, mapped: task.mapped })),
    groups: dag.groups.map((group) => ({ groupId: group.groupId, parentId: group.parentId })),
  };
}
