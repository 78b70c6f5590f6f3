import { execFile } from 'node:child_process';

/**
 * The version of apache-airflow installed for an interpreter, read from the package metadata
 * without importing Airflow; undefined when the interpreter or the package is missing.
 */
export function installedAirflowVersion(python: string): Promise<string | undefined> {
  const script = 'import importlib.metadata as m\ntry:\n    print(m.version("apache-airflow"))\nexcept m.PackageNotFoundError:\n    pass';
  return new Promise((resolve) => {
    execFile(python, ['-c', script], { timeout: 10_000 }, (error, stdout) => {
      resolve(error ? undefined : stdout.trim() || undefined);
    });
  });
}
