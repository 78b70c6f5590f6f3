// Which Python interpreter Preflight runs and which Airflow's rules it applies, in the order the
// settings document: what the user set first, then what their environment says, then defaults.
// Pure, so that the order is tested without VS Code; src/vscode supplies what it finds.
import { inferAirflowVersion, type AirflowVersion } from './version';

/** Where the interpreter comes from: `preflight.pythonPath`, the Python extension's active one, or `python3`. */
export type InterpreterSource = 'setting' | 'python-extension' | 'default';

export interface PythonInterpreter {
  readonly path: string;
  readonly source: InterpreterSource;
}

export const DEFAULT_PYTHON = 'python3';

/** `preflight.pythonPath` when set, else the interpreter selected in the Python extension, else `python3`. */
export function choosePythonInterpreter(settingPath: string, pythonExtensionPath: string | undefined): PythonInterpreter {
  if (settingPath.trim()) return { path: settingPath.trim(), source: 'setting' };
  if (pythonExtensionPath?.trim()) return { path: pythonExtensionPath.trim(), source: 'python-extension' };
  return { path: DEFAULT_PYTHON, source: 'default' };
}

/** Where the Airflow version comes from: `preflight.airflowVersion`, the interpreter's `apache-airflow`, or the file. */
export type AirflowVersionSource = 'setting' | 'installed' | 'file';

export type AirflowVersionSetting = 'auto' | '2' | '3';

/**
 * The version every file is checked against, when one is: the setting when it names a version;
 * with `auto`, the version installed for the interpreter. Undefined leaves it to each file.
 */
export function workspaceAirflowVersion(setting: AirflowVersionSetting, installed: AirflowVersion | undefined): AirflowVersion | undefined {
  return setting === 'auto' ? installed : setting === '2' ? 2 : 3;
}

/** The version one file is checked against, and why: the workspace's version, else the one the file is written for. */
export function chooseAirflowVersion(setting: AirflowVersionSetting, installed: AirflowVersion | undefined, fileText: string): { version: AirflowVersion; source: AirflowVersionSource } {
  const workspace = workspaceAirflowVersion(setting, installed);
  if (workspace !== undefined) return { version: workspace, source: setting === 'auto' ? 'installed' : 'setting' };
  return { version: inferAirflowVersion(fileText), source: 'file' };
}
