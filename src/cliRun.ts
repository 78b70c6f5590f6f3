// `preflight run`: a DAG run on this machine, printed as JSON (the contract in README.md) or as a
// readable report. Exit code 0 when every run succeeded, 1 otherwise, 2 when it cannot start.
import type { AirflowVersion } from './core/airflow/version';
import type { DagRunResult, SimulationResult } from './core/sim/types';
import { runDagWithAirflow } from './node/airflowDagsTest';
import { runDagLocally, type RunSelection } from './node/localRun';

export interface RunCommandOptions {
  readonly airflow?: AirflowVersion;
  readonly dag?: string;
  readonly date?: string;
  readonly from?: string;
  readonly to?: string;
  readonly conf?: Record<string, unknown>;
  readonly dry: boolean;
  readonly fail: readonly string[];
  readonly python?: string;
  readonly sendAlerts: boolean;
  readonly waitForRetries: boolean;
  readonly json: boolean;
  readonly now: number;
  /** `preflight` (the simulator, default) or `airflow` (dag.test() of the interpreter's Airflow). */
  readonly engine?: string;
  /** For the airflow engine: the AIRFLOW_HOME to use instead of the inherited one. */
  readonly airflowHome?: string;
}

/** Thrown for a wrong command line; the CLI prints it with the usage text and exits 2. */
export class RunUsageError extends Error {}

function instant(text: string, flag: string): number {
  const value = Date.parse(text);
  if (Number.isNaN(value) || !/(Z|[+-]\d\d:?\d\d)$/.test(text)) throw new RunUsageError(`${flag} takes an ISO 8601 time with its offset, e.g. 2024-01-01T00:30:00+00:00`);
  return value;
}

function selection(options: RunCommandOptions): RunSelection {
  if (options.date !== undefined && (options.from !== undefined || options.to !== undefined)) throw new RunUsageError('give either --date or --from/--to, not both');
  if (options.date !== undefined) return { kind: 'date', logicalDate: instant(options.date, '--date') };
  if (options.from !== undefined || options.to !== undefined) {
    if (options.from === undefined || options.to === undefined) throw new RunUsageError('--from and --to go together');
    const range = { kind: 'range' as const, from: instant(options.from, '--from'), to: instant(options.to, '--to') };
    if (range.to < range.from) throw new RunUsageError('--to is before --from');
    return range;
  }
  return { kind: 'next' };
}

/** The JSON of `preflight run --json`: the simulation result, with the alerts' fields the contract names first. */
export function runReport(result: SimulationResult): unknown {
  return {
    dag_id: result.dag_id,
    airflow: result.airflow,
    mode: result.mode,
    runs: result.runs,
    alerts: result.alerts.map((a) => ({ kind: a.kind, dag_id: a.dag_id, task_id: a.task_id, run_id: a.run_id, text: a.text, channel: a.channel ?? null, conn_id: a.conn_id ?? null, username: a.username ?? null, source: a.source, sent: a.sent })),
    warnings: result.warnings,
  };
}

function printRun(run: DagRunResult): void {
  console.log(`${run.run_id}: ${run.state}${run.reason !== 'success' && run.reason !== 'task_failure' ? ` (${run.reason})` : ''}`);
  const width = Math.max(...run.tasks.map((t) => t.task_id.length), 4);
  for (const task of run.tasks) {
    const tries = task.try_number > 1 ? `, ${task.try_number} tries` : '';
    const duration = task.duration_ms !== null && task.start !== null ? `, ${(task.duration_ms / 1000).toFixed(2)} s` : '';
    const xcom = task.xcom.return_value !== undefined ? `, returned ${JSON.stringify(task.xcom.return_value)}` : '';
    const detail = task.error ? `: ${task.error.type}: ${task.error.message}` : task.note ? `: ${task.note}` : '';
    console.log(`  ${task.task_id.padEnd(width)}  ${task.state}${tries}${duration}${xcom}${detail}`);
  }
}

/** The options only the simulator has: Airflow's own run cannot honour them, so they are refused. */
function simulatorOnlyOptions(options: RunCommandOptions): string[] {
  return [
    options.from !== undefined || options.to !== undefined ? '--from/--to' : '',
    options.dry ? '--dry' : '',
    options.fail.length > 0 ? '--fail' : '',
    options.sendAlerts ? '--send-alerts' : '',
    options.waitForRetries ? '--wait-retries' : '',
    options.airflow !== undefined ? '--airflow' : '',
  ].filter(Boolean);
}

/** `run --engine airflow`: one DAG run made by `dag.test()` in the interpreter's Airflow. */
async function runWithAirflow(file: string, options: RunCommandOptions): Promise<number> {
  const refused = simulatorOnlyOptions(options);
  if (refused.length > 0) throw new RunUsageError(`${refused.join(', ')} belong to Preflight's simulator, not to --engine airflow`);
  const python = options.python ?? process.env.PREFLIGHT_PYTHON ?? 'python3';
  const outcome = await runDagWithAirflow({
    file,
    dagId: options.dag,
    ...(options.date !== undefined ? { logicalDate: instant(options.date, '--date') } : {}),
    conf: options.conf ?? {},
    python,
    ...(options.airflowHome !== undefined ? { airflowHome: options.airflowHome } : {}),
    now: options.now,
    // The text report streams Airflow's log as it comes, task by task, on stderr.
    ...(options.json ? {} : {
      onEvent: (event) => {
        if (event.kind === 'log' && event.text) process.stderr.write(event.text.replace(/^(?=.)/gm, `[${event.task_id}] `));
        else if (event.kind === 'task') process.stderr.write(`preflight: ${event.task_id}: ${event.state}, try ${event.try_number ?? 0}\n`);
      },
      onOutput: (text) => process.stderr.write(text),
    }),
  });
  if ('problem' in outcome) {
    const { problem } = outcome;
    const where = problem.file ? `${problem.file}${problem.line ? `:${problem.line}` : ''}: ` : `${file}: `;
    console.error(`preflight: ${where}${problem.message}`);
    return 2;
  }
  const { result } = outcome;
  if (options.json) {
    console.log(JSON.stringify({ ...(runReport(result) as object), engine: 'airflow', airflow_version: outcome.airflowVersion }, null, 2));
  } else {
    console.log(`DAG ${result.dag_id}, run by Airflow ${outcome.airflowVersion} (dag.test()) in AIRFLOW_HOME=${outcome.airflowHome ?? '?'}, database ${outcome.database ?? '?'}`);
    result.runs.forEach(printRun);
  }
  return result.runs.every((r) => r.state === 'success') ? 0 : 1;
}

export async function runCommand(files: readonly string[], options: RunCommandOptions): Promise<number> {
  if (files.length !== 1) throw new RunUsageError('run takes exactly one FILE');
  const [file] = files;
  if (options.engine !== undefined && options.engine !== 'preflight' && options.engine !== 'airflow') throw new RunUsageError('--engine takes preflight or airflow');
  if (options.engine === 'airflow') return runWithAirflow(file, options);
  if (options.airflowHome !== undefined) throw new RunUsageError('--airflow-home goes with --engine airflow');
  const outcome = await runDagLocally({
    file,
    dagId: options.dag,
    airflow: options.airflow,
    selection: selection(options),
    conf: options.conf ?? {},
    dry: options.dry,
    failTasks: options.fail,
    python: options.python ?? process.env.PREFLIGHT_PYTHON ?? 'python3',
    sendAlerts: options.sendAlerts,
    waitForRetries: options.waitForRetries,
    now: options.now,
  });
  if ('problem' in outcome) {
    const { problem } = outcome;
    const where = problem.file ? `${problem.file}${problem.line ? `:${problem.line}` : ''}: ` : `${file}: `;
    console.error(`preflight: ${where}${problem.message}${problem.dryRunPossible ? '\n  (preflight run --dry renders and walks the DAG without executing anything)' : ''}`);
    return 2;
  }
  const { result } = outcome;
  if (options.json) {
    console.log(JSON.stringify(runReport(result), null, 2));
  } else {
    const how = result.mode === 'dry' ? 'dry run' : outcome.airflowInstalled ? `with Airflow ${outcome.airflowInstalled}` : 'with Preflight\'s stand-in for Airflow';
    console.log(`DAG ${result.dag_id}, Airflow ${result.airflow} rules, ${how}`);
    result.runs.forEach(printRun);
    for (const alert of result.alerts) {
      console.log(`${alert.kind} alert from ${alert.task_id ?? 'the DAG'} (${alert.source}${alert.channel ? `, channel ${alert.channel}` : ''}${alert.conn_id ? `, connection ${alert.conn_id}` : ''}${alert.sent ? '' : ', not sent'}):`);
      console.log(alert.text.split('\n').map((line) => `  | ${line}`).join('\n'));
    }
    for (const warning of result.warnings) console.log(`warning: ${warning}`);
  }
  return result.runs.every((r) => r.state === 'success') ? 0 : 1;
}
