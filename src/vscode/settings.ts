import * as vscode from 'vscode';

/** The extension's settings, read once and again only when they change. */
export interface PreflightSettings {
  readonly timezones: readonly string[];
  readonly airflowVersion: 'auto' | '2' | '3';
  readonly pythonPath: string;
  /** Templated fields of custom operators, by class name (`preflight.templateFields`). */
  readonly templateFields: Readonly<Record<string, readonly string[]>>;
  /** Post the Slack alerts of local runs for real (`preflight.alerts.send`); off by default. */
  readonly sendAlerts: boolean;
}

/** The setting's entries that are lists of field names; anything else is ignored. */
function templateFieldsOf(value: unknown): Record<string, readonly string[]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string[]] =>
    Array.isArray(entry[1]) && entry[1].every((field) => typeof field === 'string')));
}

export function readSettings(): PreflightSettings {
  const config = vscode.workspace.getConfiguration('preflight');
  const version = config.get<string>('airflowVersion', 'auto');
  return {
    timezones: config.get<string[]>('timezones', ['UTC', 'Asia/Seoul']),
    airflowVersion: version === '2' || version === '3' ? version : 'auto',
    pythonPath: config.get<string>('pythonPath', ''),
    templateFields: templateFieldsOf(config.get<unknown>('templateFields', {})),
    sendAlerts: config.get<boolean>('alerts.send', false) === true,
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
