/**
 * Runs the cadence executions the import started, as Step Functions would: the real
 * statemachines/cadence.asl.json with every Task mapped to the real handler, each
 * execution on its own virtual clock. The clock runs at real speed and jumps forward
 * when the workflow waits for a step to fall due or a window to open (WaitUntilDue),
 * so a month of outreach takes seconds; waits for a paced send time stay real, since
 * pacing is about real seconds at the carrier.
 */
import { join } from 'node:path';
import { withClock, type Clock } from '../lambdas/adapters/clock';
import type { SandboxRecord } from './sandbox/types';
import { ROOT, type LocalStack } from './local-stack';
import { runWorkflow, type ExecutionResult, type LocalHandler } from './workflow-runner';

export const CADENCE_WORKFLOW = join(ROOT, 'statemachines', 'cadence.asl.json');

/** A clock that runs with real time from a start instant and can be moved forward. */
export class VirtualClock implements Clock {
  private offsetMs: number;

  constructor(start: Date) {
    this.offsetMs = start.getTime() - Date.now();
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advanceTo(instant: Date): void {
    const ahead = instant.getTime() - this.now().getTime();
    if (ahead > 0) this.offsetMs += ahead;
  }
}

/** The cadence workflow's Task states, mapped to the real handler modules. */
export async function cadenceHandlers(): Promise<Record<string, LocalHandler>> {
  const [plan, sms, voicemail, call, postcard, fail] = await Promise.all([
    import('../lambdas/handlers/cadence-plan'),
    import('../lambdas/handlers/send-sms'),
    import('../lambdas/handlers/drop-voicemail'),
    import('../lambdas/handlers/queue-agent-call'),
    import('../lambdas/handlers/add-postcard'),
    import('../lambdas/handlers/cadence-fail'),
  ]);
  return {
    PlanStep: (p) => plan.handler(p),
    SendSms: (p) => sms.handler(p),
    DropVoicemail: (p) => voicemail.handler(p),
    QueueAgentCall: (p) => call.handler(p),
    AddToPostcardManifest: (p) => postcard.handler(p),
    RecordFailure: (p) => fail.handler(p),
  };
}

export interface StartedExecution {
  readonly executionArn: string;
  readonly name: string;
  readonly input: unknown;
  readonly startDate: string;
}

export interface CadenceRun {
  readonly name: string;
  readonly clock: VirtualClock;
  readonly result: ExecutionResult;
}

export interface CadenceRunOptions {
  /** Handlers to use instead of the real ones for some states (tests inject failures this way). */
  readonly handlers?: Record<string, LocalHandler>;
  /** Executions run at once. @default 64 */
  readonly concurrency?: number;
  readonly onFinished?: (run: CadenceRun, done: number, total: number) => void;
}

/** Runs one execution on its own virtual clock, starting at `start`. */
export async function runCadence(input: unknown, start: Date, name: string, options: Pick<CadenceRunOptions, 'handlers'> = {}): Promise<CadenceRun> {
  const clock = new VirtualClock(start);
  const handlers = { ...(await cadenceHandlers()), ...options.handlers };
  const result = await runWorkflow(CADENCE_WORKFLOW, input, handlers, {
    executionName: name,
    waitTimeOverrides: { WaitUntilDue: 0 },
    retryIntervalMs: 50,
    aroundTask: (_state, payload, call) => {
      // The task after WaitUntilDue sees the decision it waited on: that much virtual time has passed.
      const decision = (payload as { state?: { decision?: { action?: string; until?: string } } }).state?.decision;
      if (decision?.action === 'wait' && decision.until) clock.advanceTo(new Date(decision.until));
      return withClock(clock, call);
    },
  });
  return { name, clock, result };
}

/** The executions the sandbox recorded as started (StartExecution) since `since`. */
export async function startedExecutions(stack: LocalStack, since = 0): Promise<{ executions: StartedExecution[]; last: number }> {
  const records = (await stack.engines.sandbox!.records<StartedExecution & { stateMachineArn: string }>('executions', { since })) as SandboxRecord<StartedExecution & { stateMachineArn: string }>[];
  // Broadcast and campaign runs are another state machine's (run-runner.ts).
  const cadences = records.filter((r) => r.data.stateMachineArn !== process.env.RUN_STATE_MACHINE_ARN);
  return { executions: cadences.map((r) => r.data), last: records.at(-1)?.seq ?? since };
}

/** Runs every started execution to its end, a bounded number at a time. */
export async function runCadences(executions: readonly StartedExecution[], options: CadenceRunOptions = {}): Promise<CadenceRun[]> {
  const runs: CadenceRun[] = [];
  let next = 0;
  const worker = async () => {
    while (next < executions.length) {
      const e = executions[next++]!;
      const run = await runCadence(e.input, new Date(e.startDate), e.name, options);
      runs.push(run);
      options.onFinished?.(run, runs.length, executions.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 64, executions.length) }, worker));
  return runs;
}
