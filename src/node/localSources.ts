import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { FixtureOutcome } from '../core/sim/types';
import { parseConnection, type Connection } from '../core/templates/connections';
import { parseXComPins, type XComPins } from '../core/templates/xcom';

/** The nearest `.preflight` folder at or above a DAG file's folder. */
function preflightFolder(dagFile: string): string | undefined {
  for (let folder = dirname(resolve(dagFile)), i = 0; i < 8; i++, folder = dirname(folder)) {
    if (existsSync(join(folder, '.preflight'))) return join(folder, '.preflight');
    if (dirname(folder) === folder) break;
  }
  return undefined;
}

function readJson(path: string): Record<string, unknown> {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

/**
 * Airflow Variables as a local run sees them: `AIRFLOW_VAR_<NAME>` first (Airflow's environment
 * secrets backend is asked before the metastore), then `.preflight/variables.json`.
 */
export function localVariables(dagFile: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const variables: Record<string, string> = {};
  const folder = preflightFolder(dagFile);
  if (folder) {
    for (const [key, value] of Object.entries(readJson(join(folder, 'variables.json')))) {
      variables[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith('AIRFLOW_VAR_') && value !== undefined) variables[name.slice('AIRFLOW_VAR_'.length).toLowerCase()] = value;
  }
  return variables;
}

/** Airflow Connections: `AIRFLOW_CONN_<ID>` (URI or JSON) first, then `.preflight/connections.json`. */
export function localConnections(dagFile: string, env: NodeJS.ProcessEnv = process.env): Record<string, Connection> {
  const connections: Record<string, Connection> = {};
  const folder = preflightFolder(dagFile);
  if (folder) {
    for (const [id, value] of Object.entries(readJson(join(folder, 'connections.json')))) {
      const connection = parseConnection(id, typeof value === 'string' ? value : JSON.stringify(value));
      if (connection) connections[id] = connection;
    }
  }
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('AIRFLOW_CONN_') || value === undefined) continue;
    const id = name.slice('AIRFLOW_CONN_'.length).toLowerCase();
    const connection = parseConnection(id, value);
    if (connection) connections[id] = connection;
  }
  return connections;
}

/**
 * XCom values pinned for previews in `.preflight/xcom.json` (see parseXComPins for the format);
 * undefined without that file, so that pulls render as placeholders.
 */
export function localXComPins(dagFile: string): XComPins | undefined {
  const folder = preflightFolder(dagFile);
  const file = folder && join(folder, 'xcom.json');
  return file && existsSync(file) ? parseXComPins(readJson(file)) : undefined;
}

/**
 * What tasks of a DAG do instead of running, from `.preflight/outcomes.json`:
 * `{ "<dag_id>": { "<task_id>": { "state": "success", "return_value": ..., "xcom": {...}, "message": "..." } } }`.
 * Entries that are not objects are ignored.
 */
export function localFixtures(dagFile: string, dagId: string): Record<string, FixtureOutcome> {
  const folder = preflightFolder(dagFile);
  if (!folder) return {};
  const forDag = readJson(join(folder, 'outcomes.json'))[dagId];
  if (!forDag || typeof forDag !== 'object' || Array.isArray(forDag)) return {};
  const states = new Set(['success', 'failed', 'skipped', undefined]);
  return Object.fromEntries(Object.entries(forDag).filter((entry): entry is [string, FixtureOutcome] => {
    const outcome = entry[1] as Record<string, unknown> | null;
    return !!outcome && typeof outcome === 'object' && !Array.isArray(outcome) && states.has(outcome.state as string | undefined);
  }));
}
