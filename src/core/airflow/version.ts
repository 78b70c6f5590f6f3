/** The Airflow major versions whose rules the product knows: 2.10 and 3.x. */
export type AirflowVersion = 2 | 3;

/**
 * The version a DAG file is written for, when no installed Airflow says: names that only Airflow 2
 * has (`schedule_interval`, `DummyOperator`, `execution_date`, `days_ago`, the old module paths such
 * as `airflow.operators.bash_operator` and `airflow.contrib`, `provide_context`) mean 2, Airflow 3's own
 * modules (`airflow.sdk`, the standard provider) mean 3, and anything else is taken as 3, the
 * current version.
 */
export function inferAirflowVersion(text: string): AirflowVersion {
  if (/\bfrom\s+airflow\.sdk\b|\bimport\s+airflow\.sdk\b|\bairflow\.providers\.standard\b/.test(text)) return 3;
  if (/\bschedule_interval\s*=|\bDummyOperator\b|\bexecution_date\b|\bdays_ago\s*\(|\bprovide_context\s*=/.test(text)) return 2;
  if (/\bairflow\.contrib\b|\bairflow\.(?:operators|sensors|hooks)\.\w+_(?:operator|sensor|hook)\b/.test(text)) return 2;
  return 3;
}

/** `"2.10.5"` → 2; undefined for versions the product has no rules for. */
export function majorVersion(version: string): AirflowVersion | undefined {
  const major = /^(\d+)\./.exec(version.trim())?.[1];
  return major === '2' ? 2 : major === '3' ? 3 : undefined;
}
