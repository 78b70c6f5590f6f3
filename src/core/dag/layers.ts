import type { DagModel } from './model';

/**
 * Task ids by layer: a task's layer is the length of the longest path from a root to it, the order
 * in which Airflow's graph view lays tasks out from left to right. Tasks on a cycle (an error Airflow
 * rejects) cannot be ordered; they are put in one last layer so they are still shown.
 */
export function taskLayers(dag: DagModel): string[][] {
  const upstreamOf = new Map(dag.tasks.map((t) => [t.taskId, t.upstream.filter((u) => u !== t.taskId)]));
  const layerOf = new Map<string, number>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const [taskId, upstream] of upstreamOf) {
      if (layerOf.has(taskId)) continue;
      const known = upstream.filter((u) => upstreamOf.has(u));
      if (known.every((u) => layerOf.has(u))) {
        layerOf.set(taskId, known.reduce((max, u) => Math.max(max, layerOf.get(u)! + 1), 0));
        changed = true;
      }
    }
  }
  const layers: string[][] = [];
  for (const task of dag.tasks) {
    const layer = layerOf.get(task.taskId);
    if (layer === undefined) continue;
    (layers[layer] ??= []).push(task.taskId);
  }
  const unordered = dag.tasks.filter((t) => !layerOf.has(t.taskId)).map((t) => t.taskId);
  const dense = layers.filter((l) => l !== undefined);
  return unordered.length > 0 ? [...dense, unordered] : dense;
}
