// "Preview Schedule": the page of ./../core/features/schedulePreview.ts in a webview beside the
// editor, in the user's language, with a fresh nonce for its style sheet.
import * as vscode from 'vscode';
import type { CheckedFile } from '../core/check';
import { schedulePreviewHtml } from '../core/features/schedulePreview';
import type { Locale } from '../core/schedule/describe';

export { nextRunLabel } from '../core/features/nextRun';

export function userLocale(): Locale {
  return vscode.env.language.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

/** Opens (or refreshes) the preview of one DAG's schedule beside the editor. */
export function openSchedulePreview(file: CheckedFile, dagId: string, zones: readonly string[]): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel('preflight.schedule', `Schedule: ${dagId}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    { enableScripts: false, localResourceRoots: [] });
  const nonce = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
  panel.webview.html = schedulePreviewHtml(file, dagId, { now: Date.now(), zones, locale: userLocale(), nonce });
  return panel;
}
