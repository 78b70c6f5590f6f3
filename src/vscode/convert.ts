import * as vscode from 'vscode';
import type { Diagnostic, SourceRange } from '../core/diagnostics';

export function toRange(document: vscode.TextDocument, range: SourceRange): vscode.Range {
  return new vscode.Range(document.positionAt(range.from), document.positionAt(range.to));
}

const SEVERITY: Record<Diagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function toDiagnostic(document: vscode.TextDocument, diagnostic: Diagnostic): vscode.Diagnostic {
  const result = new vscode.Diagnostic(toRange(document, diagnostic.range), diagnostic.message, SEVERITY[diagnostic.severity]);
  result.code = diagnostic.code;
  result.source = 'Airflow Preflight';
  return result;
}
