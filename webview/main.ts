// The DAG panel's page: each DAG of the file as columns of tasks, left to right in dependency order.
// Everything is built with DOM APIs and textContent, never innerHTML, so task ids are always text.
import { isHostMessage, type DagView, type PageMessage } from './protocol';

interface VsCodeApi {
  postMessage(message: PageMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const root = document.getElementById('root')!;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderDag(dag: DagView): HTMLElement {
  const section = element('section', 'dag');
  section.append(element('h2', 'dag-id', dag.dagId));
  const byId = new Map(dag.tasks.map((t) => [t.taskId, t]));
  const columns = element('div', 'layers');
  for (const layer of dag.layers) {
    const column = element('div', 'layer');
    for (const taskId of layer) {
      const task = byId.get(taskId);
      if (!task) continue;
      const card = element('button', 'task');
      card.type = 'button';
      card.title = task.upstream.length > 0 ? `after ${task.upstream.join(', ')}` : 'no upstream tasks';
      card.append(element('span', 'task-id', task.taskId), element('span', 'operator', task.mapped ? `${task.operator} [ ]` : task.operator));
      if (task.upstream.length > 0) card.append(element('span', 'upstream', `← ${task.upstream.join(', ')}`));
      card.addEventListener('click', () => vscode.postMessage({ type: 'revealTask', dagId: dag.dagId, taskId: task.taskId }));
      column.append(card);
    }
    columns.append(column);
  }
  section.append(columns);
  return section;
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (!isHostMessage(event.data)) return;
  const { dags } = event.data;
  root.replaceChildren(...(dags.length > 0 ? dags.map(renderDag) : [element('p', 'empty', 'No DAG found in this file.')]));
});

vscode.postMessage({ type: 'ready' });
