// Rules that need more than one file: Airflow loads every DAG file of its folder into one DagBag.
import type { DagFileModel } from '../dag/model';
import type { Diagnostic } from '../diagnostics';

export interface AnalysedFile {
  readonly file: string;
  readonly model: DagFileModel;
}

/**
 * PF302: two files defining the same dag_id. Airflow keeps one of them and reports the other
 * (AirflowDagDuplicatedIdException in 2.10, a warning and the last one wins in 3.x); either way one DAG
 * silently disappears. Every occurrence is reported, each naming the other files.
 */
export function duplicateDagIds(files: readonly AnalysedFile[]): Map<string, Diagnostic[]> {
  const byId = new Map<string, { file: string; range: Diagnostic['range'] }[]>();
  for (const { file, model } of files) {
    for (const dag of model.dags) {
      const places = byId.get(dag.dagId) ?? [];
      places.push({ file, range: dag.selectionRange });
      byId.set(dag.dagId, places);
    }
  }
  const found = new Map<string, Diagnostic[]>();
  for (const [dagId, places] of byId) {
    const files = new Set(places.map((p) => p.file));
    if (files.size < 2) continue;
    for (const place of places) {
      const others = [...files].filter((f) => f !== place.file);
      const list = found.get(place.file) ?? [];
      list.push({
        code: 'PF302',
        severity: 'error',
        message: `dag_id '${dagId}' is also defined in ${others.join(', ')}: Airflow keeps only one of these DAGs.`,
        range: place.range,
      });
      found.set(place.file, list);
    }
  }
  return found;
}
