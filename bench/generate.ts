/**
 * A DAG file with `taskCount` tasks, written the way large generated DAGs are: default_args, a
 * few operator kinds, templated arguments, and edges in several forms.
 */
export function generateDagFile(taskCount: number): string {
  const lines = [
    '"""A generated DAG for benchmarks."""',
    'import pendulum',
    'from datetime import timedelta',
    'from airflow import DAG',
    'from airflow.operators.bash import BashOperator',
    'from airflow.operators.python import PythonOperator',
    'from airflow.operators.empty import EmptyOperator',
    '',
    'default_args = {"owner": "data", "retries": 2, "retry_delay": timedelta(minutes=5)}',
    '',
    'def work(ds, **kwargs):',
    '    print(ds)',
    '',
    'with DAG(',
    '    dag_id="generated",',
    '    schedule="30 0 * * *",',
    '    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),',
    '    default_args=default_args,',
    '    catchup=False,',
    ') as dag:',
  ];
  for (let i = 0; i < taskCount; i++) {
    switch (i % 3) {
      case 0:
        lines.push(`    task_${i} = BashOperator(task_id="task_${i}", bash_command="echo {{ ds }} ${i}", retries=${i % 4})`);
        break;
      case 1:
        lines.push(`    task_${i} = PythonOperator(task_id="task_${i}", python_callable=work, op_kwargs={"n": ${i}, "date": "{{ ds_nodash }}"})`);
        break;
      default:
        lines.push(`    task_${i} = EmptyOperator(task_id="task_${i}")`);
    }
    if (i > 0 && i % 10 === 0) lines.push(`    task_${i - 10} >> [task_${i - 9}, task_${i - 8}] >> task_${i}`);
    else if (i > 0) lines.push(`    task_${i - 1} >> task_${i}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * A DAG file of `taskCount` trivial PythonOperator tasks in one chain, in Airflow 2's import style so
 * that it loads in the Airflow 2.10 environment. Each callable only returns a small value, so a real
 * run of it measures what executing a task costs, not what the task does.
 */
export function generatePythonChainDagFile(taskCount: number): string {
  const lines = [
    '"""A generated chain of trivial Python tasks for benchmarks."""',
    'import pendulum',
    'from airflow import DAG',
    'from airflow.operators.python import PythonOperator',
    '',
    'def answer():',
    '    return 42',
    '',
    'with DAG(',
    '    dag_id="python_chain",',
    '    schedule="@daily",',
    '    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),',
    '    catchup=False,',
    ') as dag:',
  ];
  for (let i = 0; i < taskCount; i++) {
    lines.push(`    task_${i} = PythonOperator(task_id="task_${i}", python_callable=answer)`);
    if (i > 0) lines.push(`    task_${i - 1} >> task_${i}`);
  }
  return lines.join('\n') + '\n';
}
