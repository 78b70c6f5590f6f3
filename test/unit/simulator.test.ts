// The simulator's engine against shared/airflow-semantics.md §4-§5: trigger rules, the state
// machine, retries, branching, XCom and callbacks, on both Airflow versions. Task code is scripted:
// each test says what every task's code does, and checks the states and records Airflow would have.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AirflowVersion } from '../../src/core/airflow/version';
import { dryExecutor } from '../../src/core/sim/dryExecutor';
import { simulate, type SimulationOptions } from '../../src/core/sim/engine';
import { retryDelayMs } from '../../src/core/sim/retries';
import { evaluateTriggerRule, triggerRuleFor } from '../../src/core/sim/triggerRules';
import type {
  CallbackInvocation, ExecutionOutcome, Executor, RunRequest, SimDag, SimTask, SimulationResult, TaskChannel, TaskInvocation, TaskState, TriggerRule,
} from '../../src/core/sim/types';

const T0 = Date.parse('2024-01-02T00:00:00Z');
const DAY = 86_400_000;

/** A DAG from edges written as Airflow does (`a >> b >> c`, `a >> [b, c]`), with per-task overrides. */
function dag(edges: string, overrides: Record<string, Partial<SimTask>> = {}, dagOverrides: Partial<SimDag> = {}): SimDag {
  const upstream = new Map<string, Set<string>>();
  const add = (id: string) => upstream.get(id) ?? upstream.set(id, new Set()).get(id)!;
  for (const chain of edges.split(/[;\n]/).map((c) => c.trim()).filter(Boolean)) {
    const steps = chain.split('>>').map((s) => s.trim().replace(/^\[|\]$/g, '').split(',').map((x) => x.trim()).filter(Boolean));
    steps.forEach((ids) => ids.forEach(add));
    for (let i = 1; i < steps.length; i++) for (const down of steps[i]) for (const up of steps[i - 1]) add(down).add(up);
  }
  Object.keys(overrides).forEach(add);
  const ids = [...upstream.keys()];
  const tasks = ids.map((id): SimTask => ({
    taskId: id, operator: 'PythonOperator', kind: 'python',
    upstream: [...upstream.get(id)!].sort(), downstream: ids.filter((d) => upstream.get(d)!.has(id)).sort(),
    triggerRule: 'all_success', retries: 0, retryDelayMs: 300_000, retryExponentialBackoff: false,
    dependsOnPast: false, waitForDownstream: false, ignoreFirstDependsOnPast: true, doXcomPush: true, multipleOutputs: false,
    ignoreDownstreamTriggerRules: true, callbacks: [], templateFields: {}, templateExt: [],
    ...overrides[id],
  }));
  return { dagId: 'd', tasks, callbacks: [], maxActiveRuns: 16, maxActiveTasks: 16, catchup: true, params: {}, timezone: 'UTC', nativeRendering: false, groupRoots: {}, ...dagOverrides };
}

function scheduledRun(day: number, conf: Record<string, unknown> = {}): RunRequest {
  const logicalDate = T0 + day * DAY;
  return { runId: `scheduled__${new Date(logicalDate).toISOString().replace('.000Z', '+00:00')}`, runType: 'scheduled', logicalDate, dataIntervalStart: logicalDate, dataIntervalEnd: logicalDate + DAY, runAfter: logicalDate + DAY, conf };
}

type Script = ExecutionOutcome | ((invocation: TaskInvocation, channel: TaskChannel) => ExecutionOutcome | Promise<ExecutionOutcome>);

const ok = (value: unknown = null): ExecutionOutcome => ({ kind: 'returned', value });
const fail = (type = 'ValueError', retryable = true): ExecutionOutcome => ({ kind: 'error', error: { type, message: 'boom', retryable } });
const selfSkip: ExecutionOutcome = { kind: 'skip', message: 'skipping on purpose' };

interface Recorder {
  readonly executed: string[];
  readonly callbacks: { name: string; task?: string; exception?: string; reason?: string; context?: string }[];
}

/** An executor that plays each task's script: one outcome, a list (one per try), or a function. */
function scripted(scripts: Record<string, Script | Script[]>, recorder: Recorder): Executor {
  return {
    async execute(invocation, channel) {
      const { task, tryNumber } = invocation;
      recorder.executed.push(`${task.taskId}#${tryNumber}`);
      const script = scripts[task.taskId] ?? ok();
      const step = Array.isArray(script) ? script[Math.min(tryNumber, script.length) - 1] : script;
      return typeof step === 'function' ? step(invocation, channel) : step;
    },
    async callback(invocation: CallbackInvocation) {
      recorder.callbacks.push({
        name: invocation.name, ...(invocation.task ? { task: invocation.task.taskId } : {}),
        ...(invocation.exception ? { exception: invocation.exception.type } : {}), ...(invocation.reason ? { reason: invocation.reason } : {}),
        ...(invocation.contextTaskId ? { context: invocation.contextTaskId } : {}),
      });
      return {};
    },
  };
}

interface Outcome {
  readonly result: SimulationResult;
  readonly recorder: Recorder;
  states(run?: number): Record<string, TaskState>;
}

async function run(simDag: SimDag, scripts: Record<string, Script | Script[]> = {}, options: Partial<SimulationOptions> & { runs?: RunRequest[] } = {}): Promise<Outcome> {
  const recorder: Recorder = { executed: [], callbacks: [] };
  const result = await simulate(simDag, options.runs ?? [scheduledRun(0)], {
    airflow: 3, mode: 'real', executor: scripted(scripts, recorder), clock: () => 0, ...options,
  });
  return {
    result, recorder,
    states: (index = 0) => Object.fromEntries(result.runs[index].tasks.map((t) => [t.task_id, t.state])),
  };
}

const BOTH: readonly AirflowVersion[] = [2, 3];

describe('trigger rules', () => {
  // [rule, upstream states, expected decision] straight from the table of §4.2.
  const cases: [TriggerRule, TaskState[], string][] = [
    ['all_success', ['success', 'success'], 'run'],
    ['all_success', ['success', 'running'], 'wait'],
    ['all_success', ['failed', 'running'], 'upstream_failed'],
    ['all_success', ['skipped', 'running'], 'skipped'],
    ['all_success', ['skipped', 'upstream_failed'], 'upstream_failed'],
    ['all_failed', ['failed', 'upstream_failed'], 'run'],
    ['all_failed', ['failed', 'success'], 'skipped'],
    ['all_failed', ['failed', 'running'], 'wait'],
    ['all_done', ['failed', 'skipped'], 'run'],
    ['all_done', ['failed', 'running'], 'wait'],
    ['one_success', ['success', 'running'], 'run'],
    ['one_success', ['skipped', 'skipped'], 'skipped'],
    ['one_success', ['failed', 'skipped'], 'upstream_failed'],
    ['one_success', ['failed', 'running'], 'wait'],
    ['one_failed', ['failed', 'running'], 'run'],
    ['one_failed', ['upstream_failed', 'running'], 'run'],
    ['one_failed', ['success', 'skipped'], 'skipped'],
    ['one_done', ['success', 'running'], 'run'],
    ['one_done', ['failed', 'running'], 'run'],
    ['one_done', ['skipped', 'upstream_failed'], 'skipped'],
    ['one_done', ['skipped', 'running'], 'wait'],
    ['none_failed', ['skipped', 'skipped'], 'run'],
    ['none_failed', ['success', 'failed'], 'upstream_failed'],
    ['none_failed', ['success', 'running'], 'wait'],
    ['none_failed_min_one_success', ['skipped', 'skipped'], 'skipped'],
    ['none_failed_min_one_success', ['skipped', 'success'], 'run'],
    ['none_failed_min_one_success', ['upstream_failed', 'success'], 'upstream_failed'],
    ['none_skipped', ['failed', 'success'], 'run'],
    ['none_skipped', ['skipped', 'running'], 'skipped'],
    ['none_skipped', ['success', 'running'], 'wait'],
    ['all_skipped', ['skipped', 'skipped'], 'run'],
    ['all_skipped', ['skipped', 'success'], 'skipped'],
    ['all_skipped', ['skipped', 'running'], 'wait'],
    ['always', ['running', 'failed'], 'run'],
    ['all_done_min_one_success', ['success', 'failed'], 'run'],
    ['all_done_min_one_success', ['failed', 'failed'], 'upstream_failed'],
    ['all_done_min_one_success', ['success', 'skipped'], 'skipped'],
  ];
  for (const [rule, states, expected] of cases) {
    it(`${rule} with upstream ${states.join(', ')} → ${expected}`, () => {
      assert.equal(evaluateTriggerRule(rule, states).kind, expected);
    });
  }

  it('a task without upstream runs whatever its rule', () => {
    assert.equal(evaluateTriggerRule('all_failed', []).kind, 'run');
  });

  it('2.10 converts its deprecated rules; 3.x rejects them; all_done_min_one_success is 3.x only', () => {
    assert.equal(triggerRuleFor('dummy', 2), 'always');
    assert.equal(triggerRuleFor('none_failed_or_skipped', 2), 'none_failed_min_one_success');
    assert.equal(triggerRuleFor('dummy', 3), undefined);
    assert.equal(triggerRuleFor('all_done_min_one_success', 2), undefined);
    assert.equal(triggerRuleFor('all_done_min_one_success', 3), 'all_done_min_one_success');
    assert.equal(triggerRuleFor('all_sucess', 3), undefined);
  });
});

describe('state machine and run state', () => {
  it('a failure marks all_success downstream upstream_failed and fails the run', async () => {
    const o = await run(dag('a >> b >> c'), { a: fail() });
    assert.deepEqual(o.states(), { a: 'failed', b: 'upstream_failed', c: 'upstream_failed' });
    assert.equal(o.result.runs[0].state, 'failed');
    assert.equal(o.result.runs[0].reason, 'task_failure');
    assert.deepEqual(o.recorder.executed, ['a#1']);
  });

  it('an all_done leaf absorbs a failure: the run succeeds', async () => {
    const o = await run(dag('a >> b', { b: { triggerRule: 'all_done' } }), { a: fail() });
    assert.deepEqual(o.states(), { a: 'failed', b: 'success' });
    assert.equal(o.result.runs[0].state, 'success');
  });

  it('a run whose leaves were all skipped is a success', async () => {
    const o = await run(dag('a >> b'), { a: selfSkip });
    assert.deepEqual(o.states(), { a: 'skipped', b: 'skipped' });
    assert.equal(o.result.runs[0].state, 'success');
  });

  it('task1 >> [task2, task3] runs the two branches at the same time', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    const branch = async (invocation: TaskInvocation) => {
      started.push(invocation.task.taskId);
      if (started.length === 2) release();
      await gate;
      return ok();
    };
    const o = await run(dag('task1 >> [task2, task3]'), { task2: branch, task3: branch });
    assert.deepEqual(started.sort(), ['task2', 'task3']);
    assert.equal(o.result.runs[0].state, 'success');
  });

  it('max_active_tasks=1 runs one task at a time', async () => {
    let running = 0, peak = 0;
    const task = async () => {
      peak = Math.max(peak, ++running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return ok();
    };
    await run(dag('a >> [b, c, d]', {}, { maxActiveTasks: 1 }), { b: task, c: task, d: task });
    assert.equal(peak, 1);
  });

  it('EmptyOperator is marked success by the scheduler: never executed, no callbacks', async () => {
    const o = await run(dag('start >> work', { start: { kind: 'empty', operator: 'EmptyOperator', callbacks: ['on_failure_callback'] } }));
    assert.deepEqual(o.recorder.executed, ['work#1']);
    assert.deepEqual(o.states(), { start: 'success', work: 'success' });
    // DagRun.schedule_tis counts the scheduler's short-cut as the task's first try, as for any task.
    assert.equal(o.result.runs[0].tasks[0].try_number, 1);
  });

  it('operators with no local meaning succeed as mocks, with a note in the log', async () => {
    const o = await run(dag('q', { q: { kind: 'mock', operator: 'SQLExecuteQueryOperator' } }));
    assert.equal(o.states().q, 'success');
    assert.deepEqual(o.recorder.executed, []);
    assert.match(o.result.runs[0].tasks[0].log_tail, /SQLExecuteQueryOperator has no local meaning/);
  });

  it('--fail forces a task to fail, so its trigger rules and callbacks can be tried', async () => {
    const o = await run(dag('a >> b', { a: { callbacks: ['on_failure_callback'] } }), {}, { failTasks: new Set(['a']) });
    assert.deepEqual(o.states(), { a: 'failed', b: 'upstream_failed' });
    assert.deepEqual(o.recorder.callbacks, [{ name: 'on_failure_callback', task: 'a', exception: 'AirflowException' }]);
  });

  it('a cancelled simulation fails its runs and leaves unstarted tasks without status', async () => {
    const controller = new AbortController();
    const o = await run(dag('a >> b'), { a: () => (controller.abort(), fail('Cancelled', false)) }, { signal: controller.signal });
    assert.equal(o.result.runs[0].state, 'failed');
    assert.equal(o.result.runs[0].reason, 'cancelled');
    assert.equal(o.states().b, 'none');
  });
});

describe('retries', () => {
  it('retries=2: two failed tries, then success; each try waits retry_delay after the last one ended', async () => {
    const o = await run(dag('a', { a: { retries: 2, retryDelayMs: 60_000 } }), { a: [fail(), fail(), ok()] });
    const a = o.result.runs[0].tasks[0];
    assert.equal(a.state, 'success');
    assert.equal(a.try_number, 3);
    assert.deepEqual(a.tries.map((t) => t.state), ['up_for_retry', 'up_for_retry', 'success']);
    assert.equal(Date.parse(a.tries[1].start) - Date.parse(a.tries[0].end), 60_000);
    assert.equal(Date.parse(a.tries[2].start) - Date.parse(a.tries[1].end), 60_000);
  });

  it('AirflowFailException fails at once, with retries left', async () => {
    const o = await run(dag('a', { a: { retries: 3, callbacks: ['on_retry_callback', 'on_failure_callback'] } }), { a: fail('AirflowFailException', false) });
    assert.equal(o.result.runs[0].tasks[0].try_number, 1);
    assert.deepEqual(o.recorder.callbacks.map((c) => c.name), ['on_failure_callback']);
  });

  it('exponential backoff: a deterministic delay in [base, 2·base) from sha1 of dag#task#date#try', async () => {
    const task = dag('a', { a: { retryExponentialBackoff: true, retryDelayMs: 10_000 } }).tasks[0];
    for (const tryNumber of [1, 2, 3]) {
      const base = 10 * 2 ** (tryNumber - 1);
      const hash = BigInt(`0x${createHash('sha1').update(`d#a#2024-01-02 00:00:00+00:00#${tryNumber}`).digest('hex')}`);
      assert.equal(await retryDelayMs(task, 'd', '2024-01-02 00:00:00+00:00', tryNumber), (base + Number(hash % BigInt(base))) * 1000);
    }
    const capped = { ...task, maxRetryDelayMs: 15_000 };
    assert.equal(await retryDelayMs(capped, 'd', '2024-01-02 00:00:00+00:00', 3), 15_000);
  });

  it('each try starts without the XComs of the one before', async () => {
    const o = await run(dag('a', { a: { retries: 1 } }), {
      a: [(_, channel) => (channel.xcomPush('partial', 1), fail()), ok('done')],
    });
    assert.deepEqual(o.result.runs[0].tasks[0].xcom, { return_value: 'done' });
  });
});

describe('callbacks', () => {
  for (const airflow of BOTH) {
    it(`Airflow ${airflow}: a task that skips itself calls on_skipped_callback${airflow === 2 ? ' and on_success_callback' : ' only'}`, async () => {
      const o = await run(dag('a', { a: { callbacks: ['on_skipped_callback', 'on_success_callback'] } }), { a: selfSkip }, { airflow });
      assert.deepEqual(o.recorder.callbacks.map((c) => c.name), airflow === 2 ? ['on_skipped_callback', 'on_success_callback'] : ['on_skipped_callback']);
    });
  }

  it('execute, retry and failure callbacks fire for tasks that ran, never for upstream_failed ones', async () => {
    const all = ['on_execute_callback', 'on_retry_callback', 'on_failure_callback', 'on_success_callback'] as const;
    const o = await run(dag('a >> b', { a: { retries: 1, callbacks: [...all] }, b: { callbacks: [...all] } }), { a: fail() });
    assert.deepEqual(o.recorder.callbacks, [
      { name: 'on_execute_callback', task: 'a' },
      { name: 'on_retry_callback', task: 'a', exception: 'ValueError' },
      { name: 'on_execute_callback', task: 'a' },
      { name: 'on_failure_callback', task: 'a', exception: 'ValueError' },
    ]);
  });

  for (const airflow of BOTH) {
    it(`Airflow ${airflow}: the DAG's on_failure_callback runs once with the run's reason and one task's context`, async () => {
      const o = await run(dag('task_2 >> task_10; task_2 >> alpha', {}, { callbacks: ['on_failure_callback', 'on_success_callback'] }), { task_2: fail() }, { airflow });
      // 2.10: the last task instance in creation order; 3.x: the greatest task id in natural order.
      assert.deepEqual(o.recorder.callbacks, [{ name: 'on_failure_callback', reason: 'task_failure', context: airflow === 2 ? 'alpha' : 'task_10' }]);
    });
  }
});

describe('branching and short-circuit', () => {
  const branchDag = () => dag('pick >> [left, right]; left >> join; right >> after_right >> join', {
    pick: { kind: 'branch' }, join: { triggerRule: 'none_failed_min_one_success' },
  });

  for (const airflow of BOTH) {
    it(`Airflow ${airflow}: a branch skips the direct downstream it did not choose; trigger rules do the rest`, async () => {
      const o = await run(branchDag(), { pick: ok('left') }, { airflow });
      assert.deepEqual(o.states(), { pick: 'success', left: 'success', right: 'skipped', after_right: 'skipped', join: 'success' });
      const xcom = o.result.runs[0].tasks.find((t) => t.task_id === 'pick')!.xcom;
      // 3.x skips through DownstreamTasksSkipped, which bypasses the return_value push.
      assert.deepEqual(xcom, airflow === 2 ? { skipmixin_key: { followed: ['left'] }, return_value: 'left' } : { skipmixin_key: { followed: ['left'] } });
    });
  }

  it('a join reachable from the chosen branch is not skipped even when it is a direct downstream', async () => {
    const o = await run(dag('pick >> [a, join]; a >> join', { pick: { kind: 'branch' } }), { pick: ok('a') });
    assert.deepEqual(o.states(), { pick: 'success', a: 'success', join: 'success' });
    // skip_all_except records every direct downstream task it keeps, the join included.
    assert.deepEqual(o.result.runs[0].tasks[0].xcom.skipmixin_key, { followed: ['a', 'join'] });
  });

  it('a branch to a TaskGroup id follows the group\'s roots; None skips every direct downstream', async () => {
    const grouped = dag('pick >> [g.first, other]; g.first >> g.second', { pick: { kind: 'branch' } }, { groupRoots: { g: ['g.first'] } });
    assert.deepEqual((await run(grouped, { pick: ok('g') })).states(), { pick: 'success', 'g.first': 'success', other: 'skipped', 'g.second': 'success' });
    assert.deepEqual((await run(grouped, { pick: ok(null) })).states(), { pick: 'success', 'g.first': 'skipped', other: 'skipped', 'g.second': 'skipped' });
  });

  it('a branch to a task that does not exist fails the branch task', async () => {
    const o = await run(branchDag(), { pick: ok('nope') });
    assert.equal(o.states().pick, 'failed');
    assert.match(o.result.runs[0].tasks[0].error!.message, /Invalid tasks found: \{'nope'\}/);
  });

  it('short-circuit with a falsy value skips the whole downstream, ignoring trigger rules', async () => {
    const o = await run(dag('check >> a >> b', { check: { kind: 'short_circuit' }, b: { triggerRule: 'all_done' } }), { check: ok(false) }, { airflow: 2 });
    assert.deepEqual(o.states(), { check: 'success', a: 'skipped', b: 'skipped' });
    // 2.10 pushes the falsy value (only None is never pushed), and SkipMixin.skip the tasks it skipped.
    assert.deepEqual(o.result.runs[0].tasks[0].xcom, { skipmixin_key: { skipped: ['a', 'b'] }, return_value: false });
  });

  it('short-circuit with ignore_downstream_trigger_rules=False skips only direct downstream tasks', async () => {
    const o = await run(dag('check >> a >> b', { check: { kind: 'short_circuit', ignoreDownstreamTriggerRules: false }, b: { triggerRule: 'all_done' } }), { check: ok([]) });
    assert.deepEqual(o.states(), { check: 'success', a: 'skipped', b: 'success' });
    // 3.x skips through DownstreamTasksSkipped: the skipped tasks are recorded, the return value is not pushed.
    assert.deepEqual(o.result.runs[0].tasks[0].xcom, { skipmixin_key: { skipped: ['a'] } });
  });

  it('short-circuit with a truthy value skips nothing', async () => {
    const o = await run(dag('check >> a', { check: { kind: 'short_circuit' } }), { check: ok(1) });
    assert.deepEqual(o.states(), { check: 'success', a: 'success' });
  });
});

describe('XCom', () => {
  it('return values are pushed as return_value; None is not, False is; do_xcom_push=False pushes nothing', async () => {
    const o = await run(dag('a; b; c; d', { d: { doXcomPush: false } }), { a: ok({ n: 1 }), b: ok(null), c: ok(false), d: ok('x') });
    assert.deepEqual(o.result.runs[0].tasks.map((t) => t.xcom), [{ return_value: { n: 1 } }, {}, { return_value: false }, {}]);
  });

  it('multiple_outputs pushes each key and the whole dict; a non-dict fails the task', async () => {
    const o = await run(dag('a; b', { a: { multipleOutputs: true }, b: { multipleOutputs: true } }), { a: ok({ x: 1, y: 'z' }), b: ok([1]) });
    assert.deepEqual(o.result.runs[0].tasks[0].xcom, { x: 1, y: 'z', return_value: { x: 1, y: 'z' } });
    assert.equal(o.states().b, 'failed');
    assert.match(o.result.runs[0].tasks[1].error!.message, /expected dictionary for multiple_outputs/);
  });

  const pulls = (airflow: AirflowVersion, request: Parameters<TaskChannel['xcomPull']>[0]) =>
    run(dag('a >> b >> pull; a >> pull', { pull: { triggerRule: 'all_done' } }), {
      a: ok('from a'), b: (_, channel) => (channel.xcomPush('extra', 42), ok(null)),
      pull: (_, channel) => ok(channel.xcomPull(request)),
    }, { airflow }).then((o) => o.result.runs[0].tasks.find((t) => t.task_id === 'pull')!.xcom.return_value);

  it('xcom_pull with a task id string', async () => {
    for (const airflow of BOTH) assert.equal(await pulls(airflow, { task_ids: 'a' }), 'from a');
  });

  it('xcom_pull with a list: 2.10 omits tasks without a value, 3.x gives None for them', async () => {
    assert.deepEqual(await pulls(2, { task_ids: ['a', 'b'] }), ['from a']);
    assert.deepEqual(await pulls(3, { task_ids: ['a', 'b'] }), ['from a', null]);
  });

  it('xcom_pull by key; a missing value is the default on 2.10 and None on 3.x', async () => {
    assert.equal(await pulls(2, { task_ids: 'b', key: 'extra' }), 42);
    assert.equal(await pulls(2, { task_ids: 'b', default: 'fallback' }), 'fallback');
    assert.equal(await pulls(3, { task_ids: 'b', default: 'fallback' }), undefined);
  });

  it('include_prior_dates reads the latest earlier run of a range', async () => {
    const o = await run(dag('a >> reader'), {
      a: (invocation) => ok(invocation.run.logicalDate === T0 ? 'day 0' : null),
      reader: (_, channel) => ok(channel.xcomPull({ task_ids: 'a', include_prior_dates: true })),
    }, { runs: [scheduledRun(0), scheduledRun(1)], airflow: 2 });
    assert.equal(o.result.runs[1].tasks[1].xcom.return_value, 'day 0');
    assert.equal(o.result.runs[0].tasks[1].xcom.return_value, 'day 0');
  });

  it('TaskFlow arguments are resolved from XCom before the task runs; a skipped upstream gives None', async () => {
    const o = await run(dag('extract >> load; skipper >> load', {
      load: { triggerRule: 'all_done', templateFields: { op_kwargs: { data: { __xcomarg__: { task_id: 'extract', key: 'return_value' } }, gone: { __xcomarg__: { task_id: 'skipper', key: 'return_value' } } } } },
    }), { extract: ok([1, 2]), skipper: selfSkip, load: (invocation) => ok(invocation.rendered.op_kwargs) });
    assert.deepEqual(o.result.runs[0].tasks.find((t) => t.task_id === 'load')!.xcom.return_value, { data: [1, 2], gone: null });
  });

  it('a value too large for a default MySQL metadata database is a warning', async () => {
    const o = await run(dag('big'), { big: ok('x'.repeat(65 << 20)) });
    assert.equal(o.states().big, 'success');
    assert.match(o.result.warnings[0], /XCom big\.return_value .* max_allowed_packet/);
  });
});

describe('runs of a range', () => {
  it('depends_on_past: a failure holds the same task of the next run, which stays running as in Airflow', async () => {
    const o = await run(dag('a >> b', { a: { dependsOnPast: true } }), { a: (invocation) => (invocation.run.logicalDate === T0 ? fail() : ok()) }, { runs: [scheduledRun(0), scheduledRun(1)] });
    assert.equal(o.result.runs[0].state, 'failed');
    assert.equal(o.result.runs[1].state, 'running');
    assert.equal(o.result.runs[1].reason, 'depends_on_past');
    assert.deepEqual(o.states(1), { a: 'none', b: 'none' });
  });

  it('depends_on_past waits for the previous run instead of running alongside it', async () => {
    const order: string[] = [];
    const o = await run(dag('a', { a: { dependsOnPast: true } }), { a: async (invocation) => (order.push(invocation.run.runId), ok()) }, { runs: [scheduledRun(1), scheduledRun(0), scheduledRun(2)] });
    assert.deepEqual(order, o.result.runs.map((r) => r.run_id));
    assert.ok(o.result.runs.every((r) => r.state === 'success'));
  });

  it('max_active_runs=1 starts each run after the one before has ended', async () => {
    let clock = 0;
    const o = await run(dag('a', {}, { maxActiveRuns: 1 }), { a: async () => ((clock += 1000), ok()) }, { runs: [scheduledRun(0), scheduledRun(1)], clock: () => clock });
    const [first, second] = o.result.runs;
    assert.ok(Date.parse(second.start) >= Date.parse(first.end));
  });

  it('template rendering errors fail the try like any error, and are retried', async () => {
    const o = await run(dag('a', { a: { retries: 1, templateFields: { bash_command: 'echo {{ ds_nodsh }}' } } }));
    const a = o.result.runs[0].tasks[0];
    assert.equal(a.state, 'failed');
    assert.equal(a.try_number, 2);
    assert.match(a.error!.message, /ds_nodsh/);
    assert.deepEqual(o.recorder.executed, []);
  });

  it('a task\'s params go over the DAG\'s and dag_run.conf over both; task.owner and task.retries are the task\'s', async () => {
    const o = await run(dag('a', { a: { params: { days: 7 }, owner: 'data', retries: 4, templateFields: { bash_command: '{{ params.table }} {{ params.days }} {{ params.limit }} {{ task.owner }} {{ task.retries }}' } } },
      { params: { table: 'orders', days: 3, limit: 1 } }), {}, { runs: [scheduledRun(0, { table: 'orders_v2' })] });
    assert.equal(o.result.runs[0].tasks[0].rendered.bash_command, 'orders_v2 7 1 data 4');
  });

  it('templated fields are rendered with the run\'s context', async () => {
    const o = await run(dag('a', { a: { templateFields: { bash_command: 'echo {{ ds }} {{ ds_nodash }} {{ macros.ds_add(ds, 7) }}', env: { DAY: '{{ ds }}' } } } }));
    assert.deepEqual(o.result.runs[0].tasks[0].rendered, { bash_command: 'echo 2024-01-02 20240102 2024-01-09', env: { DAY: '2024-01-02' } });
  });
});

describe('dry runs', () => {
  it('follow every branch, let short-circuits through, and run no callbacks', async () => {
    const simDag = dag('pick >> [a, b]; check >> c', { pick: { kind: 'branch' }, check: { kind: 'short_circuit' }, a: { callbacks: ['on_success_callback'] } });
    const result = await simulate(simDag, [scheduledRun(0)], { airflow: 3, mode: 'dry', executor: dryExecutor, clock: () => 0 });
    assert.ok(result.runs[0].tasks.every((t) => t.state === 'success'));
    assert.match(result.runs[0].tasks.find((t) => t.task_id === 'a')!.log_tail, /on_success_callback would be called/);
  });
});

describe('Clear', () => {
  it('re-runs the cleared task and its downstream; the others keep their states, tries and XComs', async () => {
    const simDag = dag('a >> b >> c', { b: { retries: 1, retryDelayMs: 0 } });
    const first = await run(simDag, { a: ok('from a'), b: fail() });
    assert.deepEqual(first.states(), { a: 'success', b: 'failed', c: 'upstream_failed' });
    const again = await run(simDag, { b: (_, channel) => ok(channel.xcomPull({ task_ids: 'a' })) }, { resume: { initialRun: first.result.runs[0], cleared: ['b', 'c'] } });
    assert.deepEqual(again.states(), { a: 'success', b: 'success', c: 'success' });
    assert.deepEqual(again.recorder.executed, ['b#3', 'c#1']);
    const [a, b] = again.result.runs[0].tasks;
    assert.equal(a.try_number, 1);
    assert.deepEqual(a.xcom, { return_value: 'from a' });
    assert.deepEqual(b.xcom, { return_value: 'from a' });
    assert.equal(again.result.runs[0].state, 'success');
  });
});

describe('dynamic task mapping', () => {
  const xcomArg = (taskId: string) => ({ __xcomarg__: { task_id: taskId, key: 'return_value' } });

  it('one task instance per element, pulled downstream as a list in map-index order', async () => {
    const o = await run(dag('make >> double >> total', {
      double: { operator: '@task', mapped: { expand: { x: xcomArg('make') } } },
      total: { operator: '@task', templateFields: { op_kwargs: { values: xcomArg('double') } } },
    }), {
      make: ok([1, 2, 3]),
      double: (invocation) => ok((invocation.rendered.op_kwargs as { x: number }).x * 2),
      total: (invocation) => ok((invocation.rendered.op_kwargs as { values: number[] }).values),
    });
    const [, double, total] = o.result.runs[0].tasks;
    assert.equal(double.state, 'success');
    assert.deepEqual(double.mapped!.map((m) => [m.map_index, m.state, m.xcom.return_value]), [[0, 'success', 2], [1, 'success', 4], [2, 'success', 6]]);
    assert.deepEqual(total.xcom.return_value, [2, 4, 6]);
  });

  it('mapped instances whose tries end at different moments all finish, none is left running', async () => {
    const delays = [30, 5, 15];
    const o = await run(dag('make >> double', { double: { operator: '@task', mapped: { expand: { x: xcomArg('make') } } } }), {
      make: ok([0, 1, 2]),
      double: async (invocation) => {
        const x = (invocation.rendered.op_kwargs as { x: number }).x;
        await new Promise((resolve) => setTimeout(resolve, delays[x]));
        return ok(x * 2);
      },
    });
    const double = o.result.runs[0].tasks[1];
    assert.equal(o.result.runs[0].state, 'success');
    assert.deepEqual(double.mapped!.map((m) => [m.map_index, m.state, m.xcom.return_value]), [[0, 'success', 0], [1, 'success', 2], [2, 'success', 4]]);
  });

  it('expanding several arguments maps over their cartesian product; a literal list needs no upstream', async () => {
    const o = await run(dag('cmd', { cmd: { operator: 'BashOperator', mapped: { expand: { a: [1, 2], b: ['x', 'y'] } } } }), { cmd: (invocation) => ok(`${invocation.task.templateFields.a}${invocation.task.templateFields.b}`) });
    assert.deepEqual(o.result.runs[0].tasks[0].mapped!.map((m) => m.xcom.return_value), ['1x', '1y', '2x', '2y']);
  });

  it('a failed mapped instance fails the mapped task and its all_success downstream; an empty list skips it', async () => {
    const failing = await run(dag('m >> after', { m: { mapped: { expand: { n: [0, 1] } } } }), { m: (invocation) => (invocation.task.templateFields.n === 1 ? fail() : ok()) });
    assert.deepEqual(failing.states(), { m: 'failed', after: 'upstream_failed' });
    const empty = await run(dag('m >> after', { m: { mapped: { expand: { n: [] } } } }));
    assert.deepEqual(empty.states(), { m: 'skipped', after: 'skipped' });
  });

  it('mapping over what is not a list fails as Airflow does', async () => {
    const o = await run(dag('make >> m', { m: { mapped: { expand: { x: xcomArg('make') } } } }), { make: ok('a string') });
    assert.equal(o.states().m, 'failed');
    assert.match(o.result.runs[0].tasks[1].error!.message, /unmappable return type 'str'/);
  });
});

describe('outcomes from .preflight/outcomes.json', () => {
  it('a mock operator takes its outcome and XComs from the fixture; other tasks still run', async () => {
    const o = await run(dag('query >> report', { query: { kind: 'mock', operator: 'SQLExecuteQueryOperator' } }), {
      report: (_, channel) => ok(channel.xcomPull({ task_ids: 'query' })),
    }, { fixtures: { query: { return_value: [[1, 'a']], xcom: { rows: 1 } }, report: { state: 'failed' } } });
    assert.deepEqual(o.result.runs[0].tasks[0].xcom, { rows: 1, return_value: [[1, 'a']] });
    assert.deepEqual(o.result.runs[0].tasks[1].xcom, { return_value: [[1, 'a']] });
  });

  it('in a dry run, a fixture chooses a branch or fails a task', async () => {
    const simDag = dag('pick >> [left, right]; right >> after', { pick: { kind: 'branch' } });
    const result = await simulate(simDag, [scheduledRun(0)], { airflow: 3, mode: 'dry', executor: dryExecutor, clock: () => 0, fixtures: { pick: { return_value: 'right' }, after: { state: 'failed', message: 'disk full' } } });
    assert.deepEqual(Object.fromEntries(result.runs[0].tasks.map((t) => [t.task_id, t.state])), { pick: 'success', left: 'skipped', right: 'success', after: 'failed' });
    assert.equal(result.runs[0].tasks[3].error?.message, 'disk full');
  });
});

describe('wait_for_downstream and real waiting', () => {
  it('wait_for_downstream holds a task until the previous run\'s direct downstream of it succeeded too', async () => {
    const o = await run(dag('a >> b', { a: { dependsOnPast: true, waitForDownstream: true } }), { b: (invocation) => (invocation.run.logicalDate === T0 ? fail() : ok()) }, { runs: [scheduledRun(0), scheduledRun(1)] });
    assert.deepEqual(o.states(0), { a: 'success', b: 'failed' });
    assert.deepEqual(o.states(1), { a: 'none', b: 'none' });
    assert.equal(o.result.runs[1].reason, 'depends_on_past');
  });

  it('retry delays jump the simulated clock unless a sleep is given, which is then awaited for each delay', async () => {
    const slept: number[] = [];
    const o = await run(dag('a', { a: { retries: 1, retryDelayMs: 1234 } }), { a: [fail(), ok()] }, { sleep: async (ms) => void slept.push(ms) });
    assert.equal(o.states().a, 'success');
    assert.deepEqual(slept, [1234]);
  });
});
