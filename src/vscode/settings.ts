import * as vscode from 'vscode';

/** The extension's settings, read once and again only when they change. */
export interface PreflightSettings {
  readonly timezones: readonly string[];
  readonly airflowVersion: 'auto' | '2' | '3';
  readonly pythonPath: string;
}

export function readSettings(): PreflightSettings {
  const config = vscode.workspace.getConfiguration('preflight');
  const version = config.get<string>('airflowVersion', 'auto');
  return {
    timezones: config.get<string[]>('timezones', ['UTC', 'Asia/Seoul']),
    airflowVersion: version === '2' || version === '3' ? version : 'auto',
    pythonPath: config.get<string>('pythonPath', ''),
  };
}

/** Holds the current settings and tells its listeners when a `preflight.*` setting changed. */
export class Settings implements vscode.Disposable {
  private current = readSettings();
  private readonly changed = new vscode.EventEmitter<PreflightSettings>();
  readonly onDidChange = this.changed.event;
  private readonly subscription = vscode.workspace.onDidChangeConfiguration((e) => {
    if (!e.affectsConfiguration('preflight')) return;
    this.current = readSettings();
    this.changed.fire(this.current);
  });

  get value(): PreflightSettings {
    return this.current;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
