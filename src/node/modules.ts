import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ModuleReader } from '../core/dag/analyze';

/** How many folders above a DAG file are searched for its helper modules. */
const SEARCH_DEPTH = 4;

/**
 * Reads the workspace modules a DAG file imports. Airflow puts the DAG folder on sys.path, so
 * `from utils.slack_notifier import alert` is looked up beside the file and then in the folders
 * above it (a DAG in a subfolder of the DAG folder); `from .utils import x` is relative to the file.
 */
export function moduleReaderFor(dagFile: string): ModuleReader {
  const folder = dirname(resolve(dagFile));
  return (moduleName) => {
    const relative = /^(\.+)(.*)$/.exec(moduleName);
    const roots: string[] = [];
    if (relative) {
      let base = folder;
      for (let i = 1; i < relative[1].length; i++) base = dirname(base);
      roots.push(base);
    } else {
      for (let base = folder, i = 0; i <= SEARCH_DEPTH; i++, base = dirname(base)) roots.push(base);
    }
    const path = (relative ? relative[2] : moduleName).split('.').filter(Boolean);
    for (const root of roots) {
      for (const candidate of [join(root, ...path) + '.py', join(root, ...path, '__init__.py')]) {
        if (existsSync(candidate)) return { file: candidate, text: readFileSync(candidate, 'utf8') };
      }
    }
    return undefined;
  };
}
