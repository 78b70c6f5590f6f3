// The executor of a dry run: no task code runs. Every task succeeds (unless the run forces it to
// fail), a branch follows all its branches and a short-circuit lets everything through, so a dry
// run shows the whole DAG's path, its rendered fields and which callbacks Airflow would call.
import type { Executor } from './types';

export const dryExecutor: Executor = {
  async execute(invocation, channel) {
    const { task } = invocation;
    channel.log(`Dry run: ${task.operator} not executed.\n`);
    if (task.kind === 'branch') return { kind: 'returned', value: [...task.downstream] };
    if (task.kind === 'short_circuit') return { kind: 'returned', value: true };
    return { kind: 'returned', value: null };
  },
  async callback(invocation, channel) {
    channel.log(`Dry run: ${invocation.name} would be called here.\n`);
    return {};
  },
};
