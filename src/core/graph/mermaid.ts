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

/** What follows a mapped task's operator in its label, as Airflow marks a mapped task. */
export const MAPPED_MARK = ' [ ]';

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

/** One box of the drawing: a task, or a collapsed TaskGroup standing for its tasks. */
export interface DrawnNode {
  /** The node's id in the drawing (`n3`, `g1`): generated, never user text. */
  readonly id: string;
  /** What a mapped task's double-sided box or a collapsed group's rounded one tells apart from a task. */
  readonly shape: 'task' | 'mapped' | 'group';
  /**
   * The label's two lines, as plain text: a task's id and operator, or a group's name and task
   * count. A mapped task's label ends in MAPPED_MARK besides.
   */
  readonly lines: readonly [string, string];
  readonly state?: GraphState;
  /** The id of the innermost drawn TaskGroup (a DrawnCluster) around the node. */
  readonly cluster?: string;
}

/** A TaskGroup drawn as a box around its tasks. */
export interface DrawnCluster {
  readonly id: string;
  readonly label: string;
  readonly parent?: string;
}

/**
 * What the graph draws, whichever layout draws it: the nodes in the order Mermaid's text defines
 * them (tasks outside groups, then each top-level group's tasks and subgroups, depth first), the
 * clusters, and each edge between two drawn nodes once.
 */
export interface GraphDrawing {
  readonly nodes: readonly DrawnNode[];
  readonly clusters: readonly DrawnCluster[];
  readonly edges: readonly (readonly [string, string])[];
  /** Task id → the node that draws it: its own node, or its collapsed group's node. */
  readonly nodeIds: Readonly<Record<string, string>>;
  /** True when at least one TaskGroup was drawn as a single node. */
  readonly collapsed: boolean;
}

/** The nodes, clusters and edges that draw a DAG; see GraphOptions for what it can show. */
export function graphDrawing(input: GraphInput, options: Omit<GraphOptions, 'direction'> = {}): GraphDrawing {
  // A task id defined twice (an error the diagnostics report) is drawn once, as first defined.
  const seen = new Set<string>();
  const tasks = input.tasks.filter((task) => !seen.has(task.taskId) && seen.add(task.taskId));
  const states = options.states ?? {};
  const collapse = options.collapseGroups ?? tasks.length > COLLAPSE_THRESHOLD;
  const { topGroups, ungrouped } = groupTree(input, tasks);

  const nodeIds: Record<string, string> = {};
  tasks.forEach((task, index) => (nodeIds[task.taskId] = `n${index}`));
  const nodes: DrawnNode[] = [];
  const clusters: DrawnCluster[] = [];
  const taskNode = (task: GraphTask, cluster?: string) => {
    const state = states[task.taskId];
    nodes.push({
      id: nodeIds[task.taskId],
      shape: task.mapped ? 'mapped' : 'task',
      lines: [task.taskId, task.operator],
      ...(state !== undefined ? { state } : {}),
      ...(cluster !== undefined ? { cluster } : {}),
    });
  };
  const clusterNodes = (group: GroupNode, parent?: string) => {
    if (groupTaskCount(group) === 0) return;
    clusters.push({ id: group.mermaidId, label: groupLabel(group), ...(parent !== undefined ? { parent } : {}) });
    for (const task of group.tasks) taskNode(task, group.mermaidId);
    for (const child of group.childGroups) clusterNodes(child, group.mermaidId);
  };

  for (const task of ungrouped) taskNode(task);
  let collapsed = false;
  for (const group of topGroups) {
    if (!collapse) {
      clusterNodes(group);
      continue;
    }
    const members = groupTasks(group);
    if (members.length === 0) continue;
    collapsed = true;
    for (const task of members) nodeIds[task.taskId] = group.mermaidId;
    const state = worstState(members.flatMap((task) => (states[task.taskId] ? [states[task.taskId]] : [])));
    nodes.push({ id: group.mermaidId, shape: 'group', lines: [groupLabel(group), `${members.length} task${members.length === 1 ? '' : 's'}`], ...(state !== undefined ? { state } : {}) });
  }

  // Edges between two tasks of one collapsed group vanish into its node; parallel ones are drawn once.
  const edgeKeys = new Set<string>();
  const edges: [string, string][] = [];
  for (const task of tasks) {
    for (const upstream of task.upstream) {
      const from = nodeIds[upstream];
      const to = nodeIds[task.taskId];
      if (from === undefined || from === to || edgeKeys.has(`${from} ${to}`)) continue;
      edgeKeys.add(`${from} ${to}`);
      edges.push([from, to]);
    }
  }
  return { nodes, clusters, edges, nodeIds, collapsed };
}

/** A drawing as the text of a Mermaid flowchart. */
export function mermaidText(drawing: GraphDrawing, direction: 'LR' | 'TB' = 'LR'): string {
  const lines = [`flowchart ${direction}`];
  const clustersById = new Map(drawing.clusters.map((cluster) => [cluster.id, cluster]));
  const chainOf = (clusterId: string | undefined): DrawnCluster[] => {
    const chain: DrawnCluster[] = [];
    for (let cluster = clusterId === undefined ? undefined : clustersById.get(clusterId); cluster; cluster = cluster.parent === undefined ? undefined : clustersById.get(cluster.parent)) chain.unshift(cluster);
    return chain;
  };
  // The subgraphs open around the current node; the nodes come depth first, so a stack suffices.
  const open: DrawnCluster[] = [];
  const closeTo = (depth: number) => {
    while (open.length > depth) {
      open.pop();
      lines.push(`${'  '.repeat(open.length + 1)}end`);
    }
  };
  for (const node of drawing.nodes) {
    const chain = chainOf(node.cluster);
    let shared = 0;
    while (shared < open.length && shared < chain.length && open[shared] === chain[shared]) shared++;
    closeTo(shared);
    for (const cluster of chain.slice(shared)) {
      lines.push(`${'  '.repeat(open.length + 1)}subgraph ${cluster.id}["${mermaidLabelText(cluster.label)}"]`);
      open.push(cluster);
    }
    const indent = '  '.repeat(open.length + 1);
    const label = `${node.lines.map(mermaidLabelText).join(LINE_BREAK)}${node.shape === 'mapped' ? MAPPED_MARK : ''}`;
    // A mapped task is drawn with Mermaid's double-sided box, a collapsed group with a rounded one.
    if (node.shape === 'mapped') lines.push(`${indent}${node.id}[["${label}"]]`);
    else if (node.shape === 'group') lines.push(`${indent}${node.id}(["${label}"])`);
    else lines.push(`${indent}${node.id}["${label}"]`);
  }
  closeTo(0);
  for (const [from, to] of drawing.edges) lines.push(`  ${from} --> ${to}`);
  for (const state of STATE_PRIORITY) {
    const members = drawing.nodes.filter((node) => node.state === state).map((node) => node.id);
    if (members.length === 0) continue;
    const { fill, stroke, text } = STATE_COLOURS[state];
    lines.push(`  classDef ${stateClass(state)} fill:${fill},stroke:${stroke},color:${text}`);
    lines.push(`  class ${members.join(',')} ${stateClass(state)}`);
  }
  return lines.join('\n') + '\n';
}

/** The Mermaid flowchart of a DAG; see GraphOptions for what it can show. */
export function dagMermaid(input: GraphInput, options: GraphOptions = {}): DagMermaid {
  const drawing = graphDrawing(input, options);
  return { text: mermaidText(drawing, options.direction), nodeIds: drawing.nodeIds, collapsed: drawing.collapsed };
}

/** The part of a DAG's model that the graph draws. */
export function graphInputFromModel(dag: DagModel): GraphInput {
  return {
    dagId: dag.dagId,
    tasks: dag.tasks.map((task) => ({ taskId: task.taskId, operator: task.operator, upstream: task.upstream, group: task.group, mapped: task.mapped })),
    groups: dag.groups.map((group) => ({ groupId: group.groupId, parentId: group.parentId })),
  };
}
