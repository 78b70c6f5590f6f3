// Airflow's trigger-rule evaluation (`airflow/ti_deps/deps/trigger_rule_dep.py`, the same in 2.10
// and 3.x; shared/airflow-semantics.md §4.2), over the states of a task's direct upstream tasks.
// The evaluation either lets the task run, makes it wait, or sets it straight to skipped or
// upstream_failed without running ("flag upstream failed"), as the scheduler does.
import type { AirflowVersion } from '../airflow/version';
import { FINISHED_STATES, type TaskState, type TriggerRule } from './types';

export type TriggerDecision =
  | { readonly kind: 'run' }
  | { readonly kind: 'wait' }
  | { readonly kind: 'skipped' | 'upstream_failed'; readonly reason: string };

/** The rules each version accepts, after 2.10's conversion of its deprecated names. */
const RULES_3: ReadonlySet<string> = new Set<TriggerRule>([
  'all_success', 'all_failed', 'all_done', 'all_done_min_one_success', 'all_done_setup_success', 'one_success',
  'one_failed', 'one_done', 'none_failed', 'none_failed_min_one_success', 'none_skipped', 'all_skipped', 'always',
]);

/**
 * The rule Airflow applies for what the DAG file says, or undefined when Airflow rejects it at
 * parse time: 2.10 converts `dummy` to `always` and `none_failed_or_skipped` to
 * `none_failed_min_one_success`; 3.x removed both; `all_done_min_one_success` is new in 3.1.
 */
export function triggerRuleFor(written: string, airflow: AirflowVersion): TriggerRule | undefined {
  if (airflow === 2) {
    if (written === 'dummy') return 'always';
    if (written === 'none_failed_or_skipped') return 'none_failed_min_one_success';
    if (written === 'all_done_min_one_success') return undefined;
  }
  return RULES_3.has(written) ? (written as TriggerRule) : undefined;
}

interface UpstreamCounts {
  readonly upstream: number;
  readonly success: number;
  readonly skipped: number;
  readonly failed: number;
  readonly upstreamFailed: number;
  readonly done: number;
}

function count(states: readonly TaskState[]): UpstreamCounts {
  let success = 0, skipped = 0, failed = 0, upstreamFailed = 0, done = 0;
  for (const state of states) {
    if (state === 'success') success++;
    else if (state === 'skipped') skipped++;
    else if (state === 'failed') failed++;
    else if (state === 'upstream_failed') upstreamFailed++;
    if (FINISHED_STATES.has(state)) done++;
  }
  return { upstream: states.length, success, skipped, failed, upstreamFailed, done };
}

const skip = (reason: string): TriggerDecision => ({ kind: 'skipped', reason });
const upstreamFailed = (reason: string): TriggerDecision => ({ kind: 'upstream_failed', reason });
const RUN: TriggerDecision = { kind: 'run' };
const WAIT: TriggerDecision = { kind: 'wait' };

/**
 * What the scheduler does with a task whose direct upstream tasks are in `states`. First the
 * auto-states, in Airflow's order; then whether the rule is met (otherwise the task waits).
 */
export function evaluateTriggerRule(rule: TriggerRule, states: readonly TaskState[]): TriggerDecision {
  // A task with no upstream, or the `always` rule, never waits on anything.
  if (rule === 'always' || states.length === 0) return RUN;
  const c = count(states);
  const allDone = c.done >= c.upstream;
  const anyFailed = c.failed + c.upstreamFailed > 0;
  switch (rule) {
    case 'all_success':
      if (anyFailed) return upstreamFailed('an upstream task failed (trigger rule all_success)');
      if (c.skipped > 0) return skip('an upstream task was skipped (trigger rule all_success)');
      return c.success === c.upstream ? RUN : WAIT;
    case 'all_failed':
      if (c.success + c.skipped > 0) return skip('an upstream task did not fail (trigger rule all_failed)');
      return c.failed + c.upstreamFailed === c.upstream ? RUN : WAIT;
    case 'all_done':
    case 'all_done_setup_success':
      // Without setup tasks, all_done_setup_success is all_done.
      return allDone ? RUN : WAIT;
    case 'all_done_min_one_success': {
      if (c.skipped > 0) return skip('an upstream task was skipped (trigger rule all_done_min_one_success)');
      if (!allDone) return WAIT;
      return c.success > 0 ? RUN : upstreamFailed('no upstream task succeeded (trigger rule all_done_min_one_success)');
    }
    case 'one_success':
      if (allDone && c.done === c.skipped) return skip('every upstream task was skipped (trigger rule one_success)');
      if (allDone && c.success <= 0) return upstreamFailed('no upstream task succeeded (trigger rule one_success)');
      return c.success > 0 ? RUN : WAIT;
    case 'one_failed':
      if (allDone && !anyFailed) return skip('no upstream task failed (trigger rule one_failed)');
      return anyFailed ? RUN : WAIT;
    case 'one_done':
      if (allDone && c.failed + c.success === 0) return skip('no upstream task succeeded or failed (trigger rule one_done)');
      return c.success + c.failed > 0 ? RUN : WAIT;
    case 'none_failed':
      if (anyFailed) return upstreamFailed('an upstream task failed (trigger rule none_failed)');
      return c.success + c.skipped === c.upstream ? RUN : WAIT;
    case 'none_failed_min_one_success':
      if (anyFailed) return upstreamFailed('an upstream task failed (trigger rule none_failed_min_one_success)');
      if (c.skipped === c.upstream) return skip('every upstream task was skipped (trigger rule none_failed_min_one_success)');
      return c.success + c.skipped === c.upstream ? RUN : WAIT;
    case 'none_skipped':
      if (c.skipped > 0) return skip('an upstream task was skipped (trigger rule none_skipped)');
      return allDone ? RUN : WAIT;
    case 'all_skipped':
      if (c.success + c.failed + c.upstreamFailed > 0) return skip('an upstream task did not skip (trigger rule all_skipped)');
      return c.skipped === c.upstream ? RUN : WAIT;
  }
}
