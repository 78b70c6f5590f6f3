import * as vscode from 'vscode';
import { workspaceAirflowVersion } from '../core/airflow/selection';
import { majorVersion, type AirflowVersion } from '../core/airflow/version';
import { installedAirflowVersion } from '../node/python';
import { onDidChangePythonExtensionInterpreter, resolvePythonInterpreter, type InterpreterSource } from './pythonInterpreter';
import type { Settings } from './settings';

const SOURCE_NAMES: Readonly<Record<InterpreterSource, string>> = {
  setting: 'preflight.pythonPath',
  'python-extension': 'the Python extension',
  default: 'the default',
};

/**
 * Which Airflow's rules apply: the setting when it names a version; with `auto`, the version
 * installed in the user's interpreter (asked only in a trusted workspace, since it runs that
 * interpreter); otherwise undefined, and each file is read as the version it is written for.
 */
export class AirflowVersionResolver implements vscode.Disposable {
  private installed: AirflowVersion | undefined;
  /** Counts probes, so that an earlier probe finishing late does not overwrite a later one. */
  private probes = 0;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly settings: Settings, private readonly output: vscode.LogOutputChannel) {
    this.subscriptions = [
      settings.onDidChange(() => void this.probe()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.probe()),
      onDidChangePythonExtensionInterpreter(() => void this.probe()),
    ];
    void this.probe();
  }

  get version(): AirflowVersion | undefined {
    return workspaceAirflowVersion(this.settings.value.airflowVersion, this.installed);
  }

  private async probe(): Promise<void> {
    if (this.settings.value.airflowVersion !== 'auto' || !vscode.workspace.isTrusted) return;
    const probe = ++this.probes;
    const python = await resolvePythonInterpreter();
    const version = await installedAirflowVersion(python.path);
    if (probe !== this.probes) return;
    const major = version ? majorVersion(version) : undefined;
    const interpreter = `${python.path} (from ${SOURCE_NAMES[python.source]})`;
    this.output.info(version ? `apache-airflow ${version} found for ${interpreter}` : `no apache-airflow found for ${interpreter}: rules follow each file`);
    if (major !== this.installed) {
      this.installed = major;
      this.changed.fire();
    }
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.changed.dispose();
  }
}
