import * as vscode from 'vscode';
import { majorVersion, type AirflowVersion } from '../core/airflow/version';
import { installedAirflowVersion } from '../node/python';
import type { Settings } from './settings';

/**
 * Which Airflow's rules apply: the setting when it names a version; with `auto`, the version
 * installed in the user's interpreter (asked only in a trusted workspace, since it runs that
 * interpreter); otherwise undefined, and each file is read as the version it is written for.
 */
export class AirflowVersionResolver implements vscode.Disposable {
  private installed: AirflowVersion | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly settings: Settings, private readonly output: vscode.LogOutputChannel) {
    this.subscriptions = [
      settings.onDidChange(() => void this.probe()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.probe()),
    ];
    void this.probe();
  }

  get version(): AirflowVersion | undefined {
    const setting = this.settings.value.airflowVersion;
    return setting === 'auto' ? this.installed : (Number(setting) as AirflowVersion);
  }

  private async probe(): Promise<void> {
    if (this.settings.value.airflowVersion !== 'auto' || !vscode.workspace.isTrusted) return;
    const python = this.settings.value.pythonPath || 'python3';
    const version = await installedAirflowVersion(python);
    const major = version ? majorVersion(version) : undefined;
    this.output.info(version ? `apache-airflow ${version} found for ${python}` : `no apache-airflow found for ${python}: rules follow each file`);
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
