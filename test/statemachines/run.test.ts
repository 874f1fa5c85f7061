/**
 * The run workflow (broadcasts and campaigns) as a definition: valid ASL, every Task with a
 * timeout, retries and a catch that records the failure; and its branches run locally with
 * the real handlers: all 16 shards planned, the send loop's "done", and a failing task
 * recorded on the run. The send loop's "wait" and "send more" branches, cancellation and
 * duplicate executions run in test/integration/broadcasts.test.ts.
 */
import { loadDefinition } from '../../local/workflow-runner';
import { RUN_WORKFLOW, runRun, startedRuns } from '../../local/run-runner';
import { startLocalStack, type LocalStack } from '../../local/local-stack';
import { withClock } from '../../lambdas/adapters/clock';
import { VirtualClock } from '../../local/cadence-runner';
import { runDependencies, startBroadcast } from '../../lambdas/handlers/run-support';
import { ROSTER_SHARDS } from '../../lambdas/adapters/roster';

// asl-validator ships no types.
type AslValidator = (definition: object, options?: { checkArn?: boolean; checkPaths?: boolean }) => { isValid: boolean; errorsText(separator?: string): string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as AslValidator;

interface AslState {
  readonly Type: string;
  readonly TimeoutSeconds?: number;
  readonly Retry?: ReadonlyArray<{ ErrorEquals: string[] }>;
  readonly Catch?: ReadonlyArray<{ ErrorEquals: string[]; Next: string }>;
  readonly Next?: string;
  readonly TimestampPath?: string;
}

describe('run state machine definition', () => {
  const { definition, placeholders } = loadDefinition(RUN_WORKFLOW);
  const states = (definition as { States: Record<string, AslState> }).States;

  it('passes asl-validator and names exactly its three functions', () => {
    const result = aslValidator(definition, { checkArn: true, checkPaths: true });
    expect(result.errorsText()).toBe('');
    expect(placeholders.sort()).toEqual(['PlanShardFunctionArn', 'RecordFailureFunctionArn', 'SendDueFunctionArn']);
  });

  it('gives every Task a timeout and a retry for transient errors; the working tasks record a failure before failing', () => {
    const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([n]) => n).sort()).toEqual(['PlanShard', 'RecordFailure', 'SendDue']);
    for (const [name, s] of tasks) {
      expect({ name, timeout: (s.TimeoutSeconds ?? 0) > 0 }).toEqual({ name, timeout: true });
      expect(s.Retry?.flatMap((r) => r.ErrorEquals)).toEqual(expect.arrayContaining(['Lambda.ServiceException', 'States.Timeout']));
      if (name !== 'RecordFailure') expect({ name, catch: s.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'))?.Next }).toEqual({ name, catch: 'RecordFailure' });
    }
    expect(states.RecordFailure!.Next).toBe('Failed');
    // A send that may take 14 minutes needs a task that may run 15.
    expect(states.SendDue!.TimeoutSeconds).toBe(900);
    expect([states.WaitForStart!.TimestampPath, states.WaitUntilDue!.TimestampPath]).toEqual(['$.startAt', '$.waitUntil']);
  });
});

describe('run state machine branches', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ inMemory: true });
  });
  afterAll(() => stack?.stop());

  const START = '2027-04-06T16:00:00Z';
  const start = async (trigger: string) => {
    const answer = await withClock(new VirtualClock(new Date(START)), () => startBroadcast({ practiceId: 'sunrise-family', name: 'flu-shot-drive', trigger, confirm: true, by: 'test' }));
    if (!('run' in answer)) throw new Error(`not started: ${answer.status}`);
    const { runs } = await startedRuns(stack);
    return { run: answer.run, execution: runs.find((r) => r.input.runId === answer.run.runId)! };
  };

  it('plans all 16 shards, then finds nobody due and finishes the run', async () => {
    const { run, execution } = await start('empty-roster');
    const entered: string[] = [];
    const result = await runRun(execution.input, new Date(START), execution.name, {
      handlers: {
        PlanShard: async (p) => {
          entered.push('PlanShard');
          return (await import('../../lambdas/handlers/run-plan')).handler(p);
        },
      },
    });
    expect(result.result.status).toBe('SUCCEEDED');
    expect(entered).toHaveLength(ROSTER_SHARDS);
    expect(await runDependencies().runs.getRun('sunrise-family', run.runId)).toMatchObject({ status: 'done', members: 0, plannedShards: Array.from({ length: 16 }, (_, i) => i) });
  });

  it('records a task that keeps failing on the run, and the execution fails', async () => {
    const { run, execution } = await start('failing-send');
    const result = await runRun(execution.input, new Date(START), execution.name, {
      handlers: {
        SendDue: async () => {
          throw new Error('the tracker is unreachable');
        },
      },
    });
    expect(result.result.status).toBe('FAILED');
    const stored = await runDependencies().runs.getRun('sunrise-family', run.runId);
    expect(stored).toMatchObject({ status: 'failed' });
    expect((stored as unknown as { failure: string }).failure).toMatch(/^Error: the tracker is unreachable/);
  });
});
