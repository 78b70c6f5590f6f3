// The JSON shapes of `preflight inspect` and of the diagnostics list, shared by the CLI and the
// extension. Lines and columns are 1-based here, as terminals and CI annotations count them.
import type { Diagnostic, Severity } from '../diagnostics';
import { LineIndex } from '../python/lines';
import type { DagFileModel } from './model';

export interface TaskReport {
  task_id: string;
  operator: string;
  line: number;
  upstream: string[];
}

export interface DagReport {
  dag_id: string;
  line: number;
  tasks: TaskReport[];
}

export interface DiagnosticReport {
  file: string;
  line: number;
  column: number;
  end_line: number;
  end_column: number;
  severity: Severity;
  code: string;
  message: string;
}

export interface InspectReport {
  file: string;
  dags: DagReport[];
  diagnostics: DiagnosticReport[];
}

export function diagnosticReport(file: string, lines: LineIndex, diagnostic: Diagnostic): DiagnosticReport {
  const start = lines.position(diagnostic.range.from);
  const end = lines.position(diagnostic.range.to);
  return {
    file,
    line: start.line + 1,
    column: start.character + 1,
    end_line: end.line + 1,
    end_column: end.character + 1,
    severity: diagnostic.severity,
    code: diagnostic.code,
    message: diagnostic.message,
  };
}

export function inspectReport(file: string, text: string, model: DagFileModel): InspectReport {
  const lines = new LineIndex(text);
  const lineOf = (offset: number) => lines.position(offset).line + 1;
  return {
    file,
    dags: model.dags.map((dag) => ({
      dag_id: dag.dagId,
      line: lineOf(dag.selectionRange.from),
      tasks: dag.tasks.map((task) => ({
        task_id: task.taskId,
        operator: task.operator,
        line: lineOf(task.range.from),
        upstream: [...task.upstream],
      })),
    })),
    diagnostics: model.diagnostics.map((d) => diagnosticReport(file, lines, d)),
  };
}
