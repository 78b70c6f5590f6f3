// `preflight`: the product's checks and previews in a terminal and in CI, over the same core as the
// extension. Exit codes: 0 success, 1 the input has errors, 2 the command line or a file is wrong.
import { parseArgs } from 'node:util';
import type { AirflowVersion } from './core/airflow/version';
import { checkFile, checkFiles, looksLikeDagFile, type CheckedFile } from './core/check';
import type { DagModel } from './core/dag/model';
import { diagnosticReport, inspectReport, type DagReport, type DiagnosticReport } from './core/dag/report';
import { LineIndex } from './core/python/lines';
import { sarifLog } from './core/report/sarif';
import { describeSchedule, type Locale } from './core/schedule/describe';
import { dagSchedule, futureRuns, isScheduleProblem, scheduledRuns, type ScheduledRun } from './core/schedule/runs';
import { isKnownZone } from './core/time/zones';
import { localConnections, localVariables, localXComPins } from './node/localSources';
import { moduleReaderFor } from './node/modules';
import { pythonFilesIn, readText, templateReader } from './node/files';
import { catalogFor } from './core/airflow/catalog';
import { nextLogicalDate, renderDag } from './core/templates/fields';
import { parseXComPins } from './core/templates/xcom';
import { runCommand, RunUsageError } from './cliRun';
import { remoteCommand } from './cliRemote';
import { runDagLocally } from './node/localRun';
import { dagMermaid, graphInputFromModel, type GraphState } from './core/graph/mermaid';
import { RunStatesError, statesFromRunReport } from './core/graph/runStates';
import { ChromiumMissingError, MermaidPage } from './node/mermaidSvg';
import { version } from '../package.json';

const USAGE = `Usage: preflight <command> [options]

Commands:
  check PATH...           Check DAG files and folders; exit 1 if any error is found.
  inspect FILE            Show the DAGs of a file: schedule, dates, tasks, edges, effective arguments.
  schedule FILE           The runs Airflow's scheduler creates by now, and the next one.
  render FILE             Every templated field of a DAG's tasks, rendered for one logical date.
  run FILE                Run a DAG here, as Airflow would: its tasks, retries, XCom, callbacks and alerts.
  graph FILE              A DAG's task graph as Mermaid text (or SVG), with the states of a run.
  demo [PATH...]          Check and inspect every DAG file under PATH (default: examples/dags).
  remote COMMAND ...      A real Airflow deployment: dags, runs, trigger, status, tasks, log, xcom, clear, diff (preflight remote --help).

Options:
  --airflow 2|3           Apply the rules of Airflow 2.10 or 3.x (default: what each file is written for).
  --format FORMAT         check: text (default), json or sarif; graph: mermaid (default) or svg.
  --json                  inspect, schedule: print JSON.
  --dag ID                schedule, render, graph: the DAG (default: the file's first).
  --run RUN_JSON          graph: colour tasks with their states in the last run of the DAG in RUN_JSON (from preflight run --json).
  --direction LR|TB       graph: left to right (default) or top to bottom.
  --task ID               render: only this task.
  --date ISO              render: the logical date (default: the next run).
  --conf JSON             render: dag_run.conf.
  --xcom JSON             render: pinned XComs, {"task": value} or {"task": {"key": value}} (default: .preflight/xcom.json).
  --template-fields JSON  check, render: templated fields of custom operators, {"MyOperator": ["sql"]}.
  --from ISO --to ISO     run: every scheduled run in this range, as catchup creates them.
  --dry                   run: render and walk the DAG without executing anything.
  --fail TASK             run: make TASK fail (repeatable), to try alerts and trigger rules.
  --python PATH           run: the interpreter for Python tasks (default: $PREFLIGHT_PYTHON, else python3).
  --send-alerts           run: really post the Slack alerts the run raises (default: record them only).
  --wait-retries          run: really wait out retry delays (default: the simulated clock skips them).
  --engine preflight|airflow  run: Preflight's simulator (default), or dag.test() of the Airflow installed for --python.
  --airflow-home DIR      run --engine airflow: the AIRFLOW_HOME whose metadata database holds the run (default: $AIRFLOW_HOME).
  --now ISO               check, schedule: the current time to assume (default: the clock).
  --count N               schedule: list at most N due runs (default 100).
  --tz ZONE               schedule: also show times in ZONE (repeatable; default UTC and Asia/Seoul).
  --lang en|ko            schedule, demo: the language of schedule descriptions (default: from LC_ALL, LC_MESSAGES or LANG).
  -h, --help              Show this help.
  -v, --version           Show the version.`;

class UsageError extends Error {}

interface Options {
  readonly airflow?: AirflowVersion;
  readonly format: 'text' | 'json' | 'sarif';
  readonly json: boolean;
  readonly dag?: string;
  readonly now?: string;
  readonly count?: string;
  readonly tz: readonly string[];
  /** The language of schedule descriptions. */
  readonly lang: Locale;
  readonly task?: string;
  readonly date?: string;
  readonly conf?: string;
  readonly xcom?: string;
  readonly templateFields?: string;
}

function main(argv: string[]): number | Promise<number> {
  // `remote` has options of its own, so it reads its command line itself.
  if (argv[0] === 'remote') return remoteCommand(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      airflow: { type: 'string' },
      format: { type: 'string' },
      dag: { type: 'string' },
      now: { type: 'string' },
      count: { type: 'string' },
      tz: { type: 'string', multiple: true },
      lang: { type: 'string' },
      task: { type: 'string' },
      date: { type: 'string' },
      conf: { type: 'string' },
      xcom: { type: 'string' },
      'template-fields': { type: 'string' },
      run: { type: 'string' },
      direction: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      dry: { type: 'boolean', default: false },
      fail: { type: 'string', multiple: true },
      python: { type: 'string' },
      'send-alerts': { type: 'boolean', default: false },
      'wait-retries': { type: 'boolean', default: false },
      engine: { type: 'string' },
      'airflow-home': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
    },
  });
  if (values.version) {
    console.log(version);
    return 0;
  }
  const [command, ...args] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (values.airflow !== undefined && values.airflow !== '2' && values.airflow !== '3') throw new UsageError('--airflow takes 2 or 3');
  if (command !== 'graph' && values.format !== undefined && !['text', 'json', 'sarif'].includes(values.format)) throw new UsageError('--format takes text, json or sarif');
  if (values.lang !== undefined && values.lang !== 'en' && values.lang !== 'ko') throw new UsageError('--lang takes en or ko');
  const options: Options = {
    airflow: values.airflow ? (Number(values.airflow) as AirflowVersion) : undefined,
    format: (values.format ?? 'text') as Options['format'],
    json: values.json!,
    dag: values.dag,
    now: values.now,
    count: values.count,
    tz: values.tz ?? ['UTC', 'Asia/Seoul'],
    lang: (values.lang as Locale | undefined) ?? environmentLocale(process.env),
    task: values.task,
    date: values.date,
    conf: values.conf,
    xcom: values.xcom,
    templateFields: values['template-fields'],
  };
  switch (command) {
    case 'check':
      if (args.length === 0) throw new UsageError('check takes at least one PATH');
      return check(args, options);
    case 'inspect':
      return inspect(args, options);
    case 'schedule':
      return schedule(args, options);
    case 'render':
      return render(args, options);
    case 'run':
      return runCommand(args, {
        airflow: options.airflow, dag: options.dag, date: options.date, from: values.from, to: values.to, conf: jsonObject(options.conf, '--conf'),
        dry: values.dry!, fail: values.fail ?? [], python: values.python, sendAlerts: values['send-alerts']!, waitForRetries: values['wait-retries']!, json: options.json, now: currentTime(options),
        engine: values.engine, airflowHome: values['airflow-home'],
      });
    case 'graph':
      return graph(args, options, { format: values.format ?? 'mermaid', run: values.run, direction: values.direction ?? 'LR' });
    case 'demo':
      return demo(args.length > 0 ? args : ['examples/dags'], options);
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

/** The DAG files under `paths`: files named explicitly, and in folders those Airflow would parse. */
function dagSources(paths: string[]) {
  const explicit = new Set(paths);
  return pythonFilesIn(paths)
    .map((file) => ({ file, text: readText(file), readModule: moduleReaderFor(file) }))
    .filter((source) => explicit.has(source.file) || looksLikeDagFile(source.text));
}

function reports(checked: readonly CheckedFile[]): DiagnosticReport[] {
  return checked.flatMap((c) => {
    const lines = new LineIndex(c.text);
    return c.diagnostics.map((d) => diagnosticReport(c.file, lines, d));
  });
}

/**
 * The user's language as the environment gives it, in POSIX precedence (LC_ALL, then LC_MESSAGES,
 * then LANG): Korean for `ko...`, otherwise English.
 */
function environmentLocale(env: NodeJS.ProcessEnv): Locale {
  const setting = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return setting.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

/** `--now`, or the clock: rules about unpausing and schedules need the current time. */
/** A flag's JSON object (`--conf '{"k": 1}'`); empty when the flag is absent. */
function jsonObject(text: string | undefined, flag: string): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`${flag} takes a JSON object`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${flag} takes a JSON object`);
  return value as Record<string, unknown>;
}

/** `--template-fields`: operator class → the names of its templated fields. */
function templateFieldsOption(options: Options): Record<string, string[]> | undefined {
  if (options.templateFields === undefined) return undefined;
  const declared = jsonObject(options.templateFields, '--template-fields');
  for (const fields of Object.values(declared)) {
    if (!Array.isArray(fields) || !fields.every((f) => typeof f === 'string')) throw new UsageError('--template-fields maps operator names to lists of field names');
  }
  return declared as Record<string, string[]>;
}

function currentTime(options: Options): number {
  if (options.now === undefined) return Date.now();
  const now = Date.parse(options.now);
  if (Number.isNaN(now) || !/(Z|[+-]\d\d:?\d\d)$/.test(options.now)) {
    throw new UsageError('--now takes an ISO 8601 time with its offset, such as 2024-01-03T12:00:00+00:00');
  }
  return now;
}

function check(paths: string[], options: Options): number {
  const checked = checkFiles(dagSources(paths), options.airflow, currentTime(options), { templateFields: templateFieldsOption(options) });
  const diagnostics = reports(checked);
  if (options.format === 'json') console.log(JSON.stringify({ diagnostics }, null, 2));
  else if (options.format === 'sarif') console.log(JSON.stringify(sarifLog(diagnostics, version), null, 2));
  else printCheckSummary(checked.length, diagnostics);
  return diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}

function inspect(files: string[], options: Options): number {
  if (files.length !== 1) throw new UsageError('inspect takes exactly one FILE');
  const [file] = files;
  const checked = checkFile({ file, text: readText(file), readModule: moduleReaderFor(file) }, options.airflow, currentTime(options));
  const report = inspectReport(file, checked.text, checked.model, checked.airflow, checked.diagnostics);
  if (options.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    printDags(report.dags);
    printDiagnostics(report.diagnostics);
  }
  // Listing a file that has errors still succeeds: the errors are part of the listing.
  return 0;
}

function schedule(files: string[], options: Options): number {
  if (files.length !== 1) throw new UsageError('schedule takes exactly one FILE');
  const now = currentTime(options);
  const count = options.count === undefined ? 100 : Number(options.count);
  if (!Number.isInteger(count) || count < 0) throw new UsageError('--count takes a whole number');
  const unknownZone = options.tz.find((zone) => !isKnownZone(zone));
  if (unknownZone) throw new UsageError(`unknown time zone '${unknownZone}'`);
  const [file] = files;
  const checked = checkFile({ file, text: readText(file), readModule: moduleReaderFor(file) }, options.airflow);
  const dag = options.dag ? checked.model.dags.find((d) => d.dagId === options.dag) : checked.model.dags[0];
  if (!dag) throw new UsageError(options.dag ? `no DAG '${options.dag}' in ${file}` : `no DAG in ${file}`);
  const resolved = dagSchedule(dag, checked.airflow);
  if (isScheduleProblem(resolved)) {
    console.error(`preflight: ${file}: DAG ${dag.dagId}: ${resolved.message}`);
    return 1;
  }
  const { due, next, failure } = scheduledRuns(resolved, { now, count, zones: options.tz });
  const description = describeSchedule(resolved, options.lang);
  if (options.json) {
    // `error`: the exception Airflow's scheduler hits computing the run after the last due one, if any.
    console.log(JSON.stringify({ dag_id: dag.dagId, airflow: checked.airflow, timetable: resolved.timetable.name, description, due, next, ...(failure ? { error: failure } : {}) }, null, 2));
    return 0;
  }
  const maxActive = resolved.maxActiveRuns !== undefined ? `, at most ${resolved.maxActiveRuns} active at once` : '';
  console.log(`DAG ${dag.dagId}: ${description}; ${resolved.timetable.name} (Airflow ${checked.airflow} rules), catchup ${resolved.restriction.catchup}`);
  const row = (run: ScheduledRun) => {
    const local = options.tz.filter((zone) => zone !== 'UTC').map((zone) => `${zone} ${run.local[zone].run_after}`).join('  ');
    return `  ${run.logical_date}  runs at ${run.run_after}  ds ${run.ds}${local ? `  (${local})` : ''}`;
  };
  console.log(`${due.length} runs due by ${new Date(now).toISOString()}${due.length > 0 ? maxActive : ''}:`);
  due.forEach((run) => console.log(row(run)));
  console.log(next ? `next:\n${row(next)}` : failure ? `no next run: Airflow's scheduler fails computing it (${failure})` : 'no next run');
  return 0;
}

function render(files: string[], options: Options): number {
  if (files.length !== 1) throw new UsageError('render takes exactly one FILE');
  const [file] = files;
  const now = currentTime(options);
  const conf = jsonObject(options.conf, '--conf');
  const xcomPins = options.xcom === undefined ? localXComPins(file) : parseXComPins(jsonObject(options.xcom, '--xcom'));
  const templateFields = templateFieldsOption(options);
  const checked = checkFile({ file, text: readText(file), readModule: moduleReaderFor(file) }, options.airflow, now, { templateFields });
  const dag = options.dag ? checked.model.dags.find((d) => d.dagId === options.dag) : checked.model.dags[0];
  if (!dag) throw new UsageError(options.dag ? `no DAG '${options.dag}' in ${file}` : `no DAG in ${file}`);
  let logicalDate: number;
  if (options.date !== undefined) {
    logicalDate = Date.parse(options.date);
    if (Number.isNaN(logicalDate) || !/(Z|[+-]\d\d:?\d\d)$/.test(options.date)) throw new UsageError('--date takes an ISO 8601 time with its offset');
  } else {
    const next = nextLogicalDate(dag, checked.airflow, now);
    if (next === undefined) throw new UsageError(`DAG ${dag.dagId} has no run to render: give --date`);
    logicalDate = next;
  }
  const rendered = renderDag(dag, {
    airflow: checked.airflow,
    catalog: catalogFor(checked.airflow),
    logicalDate,
    now,
    conf,
    variables: localVariables(file),
    connections: localConnections(file),
    readTemplate: templateReader(file),
    templateFields,
    xcomPins,
  });
  if ('error' in rendered) {
    console.error(`preflight: ${file}: DAG ${dag.dagId}: ${rendered.error}`);
    return 1;
  }
  const tasks = rendered.tasks.filter((t) => !options.task || t.task_id === options.task);
  if (options.task && tasks.length === 0) throw new UsageError(`no task '${options.task}' in DAG ${dag.dagId}`);
  if (options.json) {
    console.log(JSON.stringify({ dag_id: rendered.dag_id, logical_date: rendered.logical_date, run_id: rendered.run_id,
      tasks: tasks.map(({ task_id, fields, errors, unsupported }) => ({
        task_id,
        fields,
        errors: Object.entries(errors).map(([field, { message, line, column }]) => ({ field, message, line: line ?? null, column: column ?? null })),
        unsupported,
      })) }, null, 2));
  } else {
    console.log(`DAG ${rendered.dag_id}, run ${rendered.run_id}`);
    for (const task of tasks) {
      console.log(`  ${task.task_id}`);
      for (const [field, value] of Object.entries(task.fields)) console.log(`    ${field}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
      for (const [field, { message }] of Object.entries(task.errors)) console.log(`    ${field}: ERROR ${message}`);
      for (const [field, why] of Object.entries(task.unsupported)) console.log(`    ${field}: not rendered (${why})`);
    }
  }
  return Object.keys(tasks.reduce((all, t) => ({ ...all, ...t.errors }), {})).length > 0 ? 1 : 0;
}

/** `preflight graph`: the DAG as Mermaid text, or as the SVG that Mermaid draws in Chromium. */
async function graph(files: string[], options: Options, flags: { format: string; run?: string; direction: string }): Promise<number> {
  if (files.length !== 1) throw new UsageError('graph takes exactly one FILE');
  if (flags.format !== 'mermaid' && flags.format !== 'svg') throw new UsageError('graph: --format takes mermaid or svg');
  if (flags.direction !== 'LR' && flags.direction !== 'TB') throw new UsageError('--direction takes LR or TB');
  const [file] = files;
  const checked = checkFile({ file, text: readText(file), readModule: moduleReaderFor(file) }, options.airflow);
  const dag = options.dag ? checked.model.dags.find((d) => d.dagId === options.dag) : checked.model.dags[0];
  if (!dag) throw new UsageError(options.dag ? `no DAG '${options.dag}' in ${file}` : `no DAG in ${file}`);
  let states: Record<string, GraphState> | undefined;
  if (flags.run !== undefined) {
    const text = readText(flags.run);
    let report: unknown;
    try {
      report = JSON.parse(text);
    } catch {
      throw new UsageError(`--run ${flags.run}: is not JSON`);
    }
    try {
      states = statesFromRunReport(report, dag.dagId);
    } catch (error) {
      if (!(error instanceof RunStatesError)) throw error;
      throw new UsageError(`--run ${flags.run}: ${error.message}`);
    }
  }
  const { text, collapsed } = dagMermaid(graphInputFromModel(dag), { direction: flags.direction, states });
  if (collapsed) console.error(`preflight: DAG ${dag.dagId} has ${dag.tasks.length} tasks: each top-level TaskGroup is drawn as one node`);
  if (flags.format === 'mermaid') {
    process.stdout.write(text);
    return 0;
  }
  let page: MermaidPage;
  try {
    page = await MermaidPage.open();
  } catch (error) {
    if (!(error instanceof ChromiumMissingError)) throw error;
    console.error(`preflight: ${error.message}`);
    return 2;
  }
  try {
    // The panel's drawing: Mermaid's, or the simple layout past its threshold, which is said as the collapse is.
    const drawn = await page.draw(graphInputFromModel(dag), { direction: flags.direction, states });
    if (drawn.layout === 'simple') console.error(`preflight: DAG ${dag.dagId} is large: drawn with the simple layout rather than by Mermaid`);
    process.stdout.write(`${drawn.svg}\n`);
  } finally {
    await page.close();
  }
  return 0;
}

/** The product's main job on a folder of DAGs; later steps (schedule, render, run) join it here. */
async function demo(paths: string[], options: Options): Promise<number> {
  const now = currentTime(options);
  const checked = checkFiles(dagSources(paths), options.airflow, now);
  for (const file of checked) {
    const report = inspectReport(file.file, file.text, file.model, file.airflow, file.diagnostics);
    if (report.dags.length === 0 && report.diagnostics.length === 0) continue;
    console.log(`\n${file.file} (Airflow ${file.airflow} rules)`);
    printDags(report.dags);
    for (const dag of file.model.dags) {
      printScheduleSummary(dag, file.airflow, now, options.tz, options.lang);
      printRenderSummary(dag, file, now);
      await printRunSummary(file.file, dag.dagId, file.airflow, now);
    }
    printDiagnostics(report.diagnostics);
  }
  const dagCount = checked.reduce((n, c) => n + c.model.dags.length, 0);
  const taskCount = checked.reduce((n, c) => n + c.model.dags.reduce((m, d) => m + d.tasks.length, 0), 0);
  const errorCount = reports(checked).filter((d) => d.severity === 'error').length;
  console.log(`\n${checked.length} files, ${dagCount} DAGs, ${taskCount} tasks, ${errorCount} errors`);
  return 0;
}

/**
 * One line per DAG: its next run executed here for real (python3 with the Airflow installed there,
 * else Preflight's stand-in), or dry when the DAG cannot run, and the alerts the run raised.
 */
async function printRunSummary(file: string, dagId: string, airflow: AirflowVersion, now: number): Promise<void> {
  const run = (dry: boolean) => runDagLocally({ file, dagId, airflow, selection: { kind: 'next' }, dry, python: process.env.PREFLIGHT_PYTHON ?? 'python3', now });
  let outcome = await run(false);
  if ('problem' in outcome) {
    console.log(`  ${dagId} run: cannot run here (${outcome.problem.message.split('\n')[0]}); dry run instead`);
    outcome = await run(true);
    if ('problem' in outcome) return;
  }
  for (const result of outcome.result.runs) {
    const counts = new Map<string, number>();
    for (const task of result.tasks) counts.set(task.state, (counts.get(task.state) ?? 0) + 1);
    const states = [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
    console.log(`  ${dagId} ${outcome.result.mode} run ${result.run_id}: ${result.state} (${states})`);
  }
  for (const alert of outcome.result.alerts) console.log(`    ${alert.kind} alert from ${alert.task_id ?? 'the DAG'}, not sent: ${alert.text.split('\n')[0]}`);
}

/** One line per DAG: its schedule in words, what unpausing now creates, and its next run in the user's zones. */
function printScheduleSummary(dag: DagModel, airflow: AirflowVersion, now: number, zones: readonly string[], locale: Locale): void {
  const schedule = dagSchedule(dag, airflow);
  if (isScheduleProblem(schedule)) {
    console.log(`  ${dag.dagId} schedule: ${schedule.message}`);
    return;
  }
  const local = zones.filter((z) => z !== 'UTC');
  const due = scheduledRuns(schedule, { now, count: 10_000 }).due.length;
  const [next] = futureRuns(schedule, now, 1, local);
  const when = next ? [`${next.run_after} UTC`, ...local.map((z) => `${next.local[z].run_after} ${z}`)].join(' = ') : 'none';
  console.log(`  ${dag.dagId} schedule: ${describeSchedule(schedule, locale)}; unpausing now creates ${due} run${due === 1 ? '' : 's'}; next run ${when}`);
}

/** One line per DAG: its templated fields rendered for its next run (or its latest, if it has no next). */
function printRenderSummary(dag: DagModel, file: CheckedFile, now: number): void {
  const logicalDate = nextLogicalDate(dag, file.airflow, now);
  if (logicalDate === undefined) return;
  const rendered = renderDag(dag, {
    airflow: file.airflow, catalog: catalogFor(file.airflow), logicalDate, now, readTemplate: templateReader(file.file),
  });
  if ('error' in rendered) return;
  const fields = rendered.tasks.reduce((n, t) => n + Object.keys(t.fields).length, 0);
  const failures = rendered.tasks.flatMap((t) => Object.entries(t.errors).map(([field, { message }]) => `${t.task_id}.${field}: ${message}`));
  const sample = rendered.tasks.flatMap((t) => Object.entries(t.fields).filter(([, v]) => typeof v === 'string').map(([f, v]) => `${t.task_id}.${f} = ${v}`))[0];
  console.log(`  ${dag.dagId} templates for ${rendered.logical_date}: ${fields} fields rendered, ${failures.length} failed${sample ? `; e.g. ${sample}` : ''}`);
  for (const failure of failures) console.log(`    ${failure}`);
}

function printDags(dags: DagReport[]): void {
  for (const dag of dags) {
    const schedule = dag.schedule ?? 'no schedule';
    console.log(`  DAG ${dag.dag_id} (line ${dag.line}): ${dag.tasks.length} tasks, schedule ${schedule}, start ${dag.start_date ?? '-'}, catchup ${dag.catchup ?? '?'}`);
    for (const task of dag.tasks) {
      const upstream = task.upstream.length > 0 ? `  <- ${task.upstream.join(', ')}` : '';
      console.log(`    ${task.task_id} [${task.operator}${task.mapped ? ', mapped' : ''}] line ${task.line}${upstream}`);
    }
  }
}

function printDiagnostics(diagnostics: DiagnosticReport[]): void {
  for (const d of diagnostics) {
    console.log(`  ${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`);
  }
}

function printCheckSummary(fileCount: number, diagnostics: DiagnosticReport[]): void {
  printDiagnostics(diagnostics);
  const count = (severity: string) => diagnostics.filter((d) => d.severity === severity).length;
  console.log(`${fileCount} DAG files checked: ${count('error')} errors, ${count('warning')} warnings, ${count('info')} notes`);
}

function reportFailure(error: unknown): void {
  if (error instanceof UsageError || error instanceof RunUsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
    console.error(`preflight: ${error.message}\n\n${USAGE}`);
  } else if (error instanceof Error && 'code' in error && 'path' in error) {
    // File system errors name the path and the reason (ENOENT, EACCES...).
    console.error(`preflight: cannot read ${String(error.path)}: ${String(error.code)}`);
  } else {
    throw error;
  }
  process.exitCode = 2;
}

try {
  const code = main(process.argv.slice(2));
  if (typeof code === 'number') process.exitCode = code;
  else code.then((c) => (process.exitCode = c), reportFailure);
} catch (error) {
  reportFailure(error);
}
