// Facts about Airflow's operator classes that the static model needs.

/**
 * Airflow 2 keeps old names importable from `airflow.operators.*` modules and hands out another
 * class in their place (`airflow/operators/__init__.py`, `__deprecated_classes`), so the task Airflow
 * creates is of the new class. Airflow 3 removed these modules.
 */
const DEPRECATED_OPERATOR_NAMES: Readonly<Record<string, string>> = {
  DummyOperator: 'EmptyOperator',
  BranchSqlOperator: 'BranchSQLOperator',
  CheckOperator: 'SQLCheckOperator',
  IntervalCheckOperator: 'SQLIntervalCheckOperator',
  ThresholdCheckOperator: 'SQLThresholdCheckOperator',
  ValueCheckOperator: 'SQLValueCheckOperator',
  PrestoCheckOperator: 'SQLCheckOperator',
  PrestoIntervalCheckOperator: 'SQLIntervalCheckOperator',
  PrestoValueCheckOperator: 'SQLValueCheckOperator',
};

/**
 * The class name of the operator Airflow instantiates for a call of `qualifiedName` (the imported
 * name, or the bare name when it was not imported, as in a file still being written).
 */
export function operatorClassName(qualifiedName: string): string {
  const name = qualifiedName.slice(qualifiedName.lastIndexOf('.') + 1);
  const renamed = DEPRECATED_OPERATOR_NAMES[name];
  const fromAirflowOperators = qualifiedName.startsWith('airflow.operators.') || qualifiedName === name;
  // DummyOperator is unambiguous wherever it comes from; the generic names only from Airflow's modules.
  return renamed && (fromAirflowOperators || name === 'DummyOperator') ? renamed : name;
}
