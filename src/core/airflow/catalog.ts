// What Airflow itself says about its DAG and operator parameters, generated from real Airflow by
// scripts/airflow/catalog.py (test/oracle/catalog.test.ts keeps the files equal to a fresh run).
import catalog2 from './catalog-2.json';
import catalog3 from './catalog-3.json';
import type { AirflowVersion } from './version';

export interface ParameterInfo {
  /** The annotation as written in Airflow's source, simplified; null when there is none. */
  readonly type: string | null;
  /** The default's repr, or null for a required parameter. */
  readonly default: string | null;
  readonly required: boolean;
  /** The parameter's description from Airflow's docstrings. */
  readonly doc: string;
}

export type ParameterMap = Readonly<Record<string, ParameterInfo>>;

export interface OperatorInfo {
  /** The module users import the operator from in this version. */
  readonly module: string;
  /** Parameters beyond BaseOperator's. */
  readonly params: ParameterMap;
  readonly templateFields: readonly string[];
  readonly templateExt: readonly string[];
  /** Public attributes of the class (methods, properties) that BaseOperator does not have. */
  readonly attributes: readonly string[];
  /** Base classes up to BaseOperator, nearest first. */
  readonly bases: readonly string[];
}

export interface Catalog {
  readonly airflow: string;
  readonly dag: ParameterMap;
  readonly baseOperator: ParameterMap;
  readonly operators: Readonly<Record<string, OperatorInfo>>;
  /** `task`, `task.bash`...: what each TaskFlow decorator accepts beyond BaseOperator. */
  readonly taskDecorators: Readonly<Record<string, ParameterMap>>;
  readonly triggerRules: readonly string[];
  readonly contextKeys: readonly string[];
  /**
   * Public attributes of the objects in the template context (`dag`, `dag_run`, `task` as a
   * BaseOperator, `task_instance`, and 2.x's `conf`): what a template can read of them in Airflow.
   */
  readonly contextObjects: Readonly<Record<string, readonly string[]>>;
}

const CATALOGS: Record<AirflowVersion, Catalog> = { 2: catalog2 as Catalog, 3: catalog3 as Catalog };

export function catalogFor(version: AirflowVersion): Catalog {
  return CATALOGS[version];
}

/** Parameters already looked up, by catalogue, operator and name: the rules ask for the same ones for every task. */
const parameters = new WeakMap<Catalog, Map<string, Map<string, ParameterInfo | undefined>>>();

/** Where a parameter of a task is documented: the operator's own parameters, its bases', then BaseOperator's. */
export function taskParameter(catalog: Catalog, operator: string, name: string): ParameterInfo | undefined {
  let byOperator = parameters.get(catalog);
  if (!byOperator) parameters.set(catalog, (byOperator = new Map()));
  let known = byOperator.get(operator);
  if (!known) byOperator.set(operator, (known = new Map()));
  if (known.has(name)) return known.get(name);
  const parameter = findTaskParameter(catalog, operator, name);
  known.set(name, parameter);
  return parameter;
}

function findTaskParameter(catalog: Catalog, operator: string, name: string): ParameterInfo | undefined {
  const decorator = operator.startsWith('@') ? catalog.taskDecorators[operator.slice(1)] : undefined;
  if (decorator?.[name]) return decorator[name];
  const info = catalog.operators[operator];
  if (info?.params[name]) return info.params[name];
  for (const base of info?.bases ?? []) {
    const param = catalog.operators[base]?.params[name];
    if (param) return param;
  }
  return catalog.baseOperator[name];
}
