// `preflight`: the product's checks and previews in a terminal and in CI, over the same core as the
// extension. Exit codes: 0 success, 1 the input has errors, 2 the command line or a file is wrong.
import { parseArgs } from 'node:util';
import { analyzeDagFile } from './core/dag/analyze';
import { inspectReport, type DagReport, type DiagnosticReport } from './core/dag/report';
import { pythonFilesIn, readText } from './node/files';
import { version } from '../package.json';

const USAGE = `Usage: preflight <command> [options]

Commands:
  inspect FILE [--json]   List the DAGs of a file with their tasks and upstream task ids.
  demo [PATH...]          Inspect every DAG file under PATH (default: examples/dags) and summarise it.

Options:
  -h, --help              Show this help.
  -v, --version           Show the version.`;

class UsageError extends Error {}

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
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
  switch (command) {
    case 'inspect':
      return inspect(args, values.json);
    case 'demo':
      return demo(args.length > 0 ? args : ['examples/dags']);
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

function inspect(files: string[], json: boolean): number {
  if (files.length !== 1) throw new UsageError('inspect takes exactly one FILE');
  const [file] = files;
  const text = readText(file);
  const report = inspectReport(file, text, analyzeDagFile(text));
  if (json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    printDags(report.dags);
    printDiagnostics(report.diagnostics);
  }
  // Listing a file that has errors still succeeds: the errors are part of the listing.
  return 0;
}

/** The product's main job on a folder of DAGs; later steps (schedule, render, run) join it here. */
function demo(paths: string[]): number {
  const files = pythonFilesIn(paths);
  let dagCount = 0;
  let taskCount = 0;
  let errorCount = 0;
  for (const file of files) {
    const text = readText(file);
    const report = inspectReport(file, text, analyzeDagFile(text));
    if (report.dags.length === 0 && report.diagnostics.length === 0) continue;
    console.log(`\n${file}`);
    printDags(report.dags);
    printDiagnostics(report.diagnostics);
    dagCount += report.dags.length;
    taskCount += report.dags.reduce((n, d) => n + d.tasks.length, 0);
    errorCount += report.diagnostics.filter((d) => d.severity === 'error').length;
  }
  console.log(`\n${files.length} files, ${dagCount} DAGs, ${taskCount} tasks, ${errorCount} errors`);
  return 0;
}

function printDags(dags: DagReport[]): void {
  for (const dag of dags) {
    console.log(`  DAG ${dag.dag_id} (line ${dag.line}): ${dag.tasks.length} tasks`);
    for (const task of dag.tasks) {
      const upstream = task.upstream.length > 0 ? `  <- ${task.upstream.join(', ')}` : '';
      console.log(`    ${task.task_id} [${task.operator}] line ${task.line}${upstream}`);
    }
  }
}

function printDiagnostics(diagnostics: DiagnosticReport[]): void {
  for (const d of diagnostics) {
    console.log(`  ${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`);
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
    console.error(`preflight: ${error.message}\n\n${USAGE}`);
  } else if (error instanceof Error && 'code' in error && 'path' in error) {
    // File system errors name the path and the reason (ENOENT, EACCES...).
    console.error(`preflight: cannot read ${String(error.path)}: ${String(error.code)}`);
  } else {
    throw error;
  }
  process.exitCode = 2;
}
