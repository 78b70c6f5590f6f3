import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'airflow-preflight.airflow-preflight';

export function workspaceFile(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the integration suite runs with the fixture workspace open');
  return vscode.Uri.joinPath(folder.uri, relative);
}

/** Opens a file in an editor and waits until the extension has activated for it. */
export async function openDagFile(relative: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(workspaceFile(relative));
  await vscode.window.showTextDocument(document);
  await waitFor(() => vscode.extensions.getExtension(EXTENSION_ID)?.isActive === true, 'extension activation');
  return document;
}

/** Polls `condition` until it holds: language features answer asynchronously. */
export async function waitFor<T>(condition: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
