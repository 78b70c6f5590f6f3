// The Python interpreter Preflight runs (to read the installed Airflow version, and to run tasks):
// `preflight.pythonPath`, else the interpreter selected in the Python extension, else `python3`.
import { PVSC_EXTENSION_ID, PythonExtension } from '@vscode/python-extension';
import * as vscode from 'vscode';
import { choosePythonInterpreter, type PythonInterpreter } from '../core/airflow/selection';

export type { InterpreterSource, PythonInterpreter } from '../core/airflow/selection';

/** The Python extension's API, or undefined when the extension is not installed, disabled or fails to start. */
async function pythonExtension(): Promise<PythonExtension | undefined> {
  if (!vscode.extensions.getExtension(PVSC_EXTENSION_ID)) return undefined;
  try {
    return await PythonExtension.api();
  } catch {
    return undefined;
  }
}

/** The executable of the Python extension's active environment for a resource, when it has one. */
async function pythonExtensionInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
  const api = await pythonExtension();
  if (!api) return undefined;
  try {
    const environment = await api.environments.resolveEnvironment(api.environments.getActiveEnvironmentPath(resource));
    return environment?.executable.uri?.fsPath;
  } catch {
    return undefined;
  }
}

/**
 * The interpreter to run for a resource (a DAG file or a workspace folder), and where it comes from.
 * The Python extension is only asked when `preflight.pythonPath` is empty.
 */
export async function resolvePythonInterpreter(resource?: vscode.Uri): Promise<PythonInterpreter> {
  const setting = vscode.workspace.getConfiguration('preflight', resource).get<string>('pythonPath', '');
  return choosePythonInterpreter(setting, setting.trim() ? undefined : await pythonExtensionInterpreter(resource));
}

/** Calls `listener` whenever the Python extension's active interpreter changes; nothing without the extension. */
export function onDidChangePythonExtensionInterpreter(listener: () => void): vscode.Disposable {
  let subscription: vscode.Disposable | undefined;
  let disposed = false;
  void pythonExtension().then((api) => {
    if (api && !disposed) subscription = api.environments.onDidChangeActiveEnvironmentPath(() => listener());
  });
  return new vscode.Disposable(() => {
    disposed = true;
    subscription?.dispose();
  });
}
