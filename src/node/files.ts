import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Folders that never hold a user's DAGs, skipped when a folder is searched. */
const SKIPPED_FOLDERS = new Set(['node_modules', '__pycache__', '.git', '.venv', 'venv', '.tox']);

/**
 * The Python files named by `paths`: files as given, folders searched recursively in name order so
 * output is stable across machines.
 */
export function pythonFilesIn(paths: readonly string[]): string[] {
  const files: string[] = [];
  const visit = (path: string, explicit: boolean) => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        if (entry.startsWith('.') || SKIPPED_FOLDERS.has(entry)) continue;
        visit(join(path, entry), false);
      }
    } else if (explicit || path.endsWith('.py')) {
      files.push(path);
    }
  };
  for (const path of paths) visit(path, true);
  return files;
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/**
 * Reads the template files of a DAG file as Airflow's Jinja loader finds them: in the DAG's folder,
 * or in a `template_searchpath` folder, which when relative is relative to the working directory
 * of the process that renders (Airflow's worker; here `workingFolder`).
 */
export function templateReader(dagFile: string, workingFolder = process.cwd()): (name: string, folder: string | null) => string | undefined {
  return (name, folder) => {
    const base = folder === null ? dirname(resolve(dagFile)) : resolve(workingFolder, folder);
    try {
      return readFileSync(join(base, name), 'utf8');
    } catch {
      return undefined;
    }
  };
}
