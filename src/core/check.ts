// `preflight check` and the editor's diagnostics: analysis, rules and workspace rules over files.
import { catalogFor } from './airflow/catalog';
import { inferAirflowVersion, type AirflowVersion } from './airflow/version';
import { analyzeParsed, parseFile, type ModuleReader, type ParsedFile } from './dag/analyze';
import type { DagFileModel } from './dag/model';
import type { Diagnostic } from './diagnostics';
import { checkDagFile } from './rules/rules';
import { duplicateDagIds } from './rules/workspace';

export interface SourceFile {
  readonly file: string;
  readonly text: string;
  readonly readModule?: ModuleReader;
  /** The file already parsed, when the caller keeps trees between edits. */
  readonly parsed?: ParsedFile;
  /**
   * For an editor: check so that the next check of an edited version is fast, reusing the analysis
   * of `previous` (the check of an earlier version of the file) where the text did not change.
   */
  readonly incremental?: { readonly previous?: CheckedFile };
}

export interface CheckedFile {
  readonly file: string;
  readonly text: string;
  readonly parsed: ParsedFile;
  readonly model: DagFileModel;
  readonly airflow: AirflowVersion;
  readonly diagnostics: readonly Diagnostic[];
}

/** Airflow only parses files that mention both "airflow" and "dag" (`[core] dag_discovery_safe_mode`). */
export function looksLikeDagFile(text: string): boolean {
  return /airflow/i.test(text) && /dag/i.test(text);
}

/** What the user configures about the checks. */
export interface CheckOptions {
  /** Templated fields of operators the catalogue does not know, by class name. */
  readonly templateFields?: Readonly<Record<string, readonly string[]>>;
}

/** Checks one file on its own: the rules of the version given, or the one the file is written for. */
export function checkFile(source: SourceFile, airflow?: AirflowVersion, now?: number, options: CheckOptions = {}): CheckedFile {
  const parsed = source.parsed ?? parseFile(source.text);
  const model = analyzeParsed(parsed, { readModule: source.readModule, incremental: source.incremental && { previous: source.incremental.previous?.model } });
  const version = airflow ?? inferAirflowVersion(source.text);
  const diagnostics = checkDagFile({ text: source.text, tree: parsed.tree, model, airflow: version, catalog: catalogFor(version), now, templateFields: options.templateFields });
  return { file: source.file, text: source.text, parsed, model, airflow: version, diagnostics };
}

/** Checks files together, so that a dag_id defined in two of them is reported in both. */
export function checkFiles(sources: readonly SourceFile[], airflow?: AirflowVersion, now?: number, options: CheckOptions = {}): CheckedFile[] {
  const checked = sources.map((s) => checkFile(s, airflow, now, options));
  const duplicates = duplicateDagIds(checked);
  return checked.map((c) => {
    const extra = duplicates.get(c.file);
    return extra ? { ...c, diagnostics: [...c.diagnostics, ...extra].sort((a, b) => a.range.from - b.range.from) } : c;
  });
}
