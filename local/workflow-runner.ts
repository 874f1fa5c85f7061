/**
 * Runs a real ASL file from statemachines/ with aws-local-stepfunctions, with each
 * Lambda Task mapped to the real handler module: the same definition CDK deploys, the
 * same handler code, no Step Functions service needed.
 */
import './polyfills';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { StateMachine, ExecutionError } from 'aws-local-stepfunctions';

/** A handler as the Lambda runtime calls it: payload and a context with a time budget. */
export type LocalHandler = (payload: unknown, context: { getRemainingTimeInMillis(): number }) => Promise<unknown>;

export interface ExecutionResult {
  readonly executionId: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** States entered: what Step Functions bills as state transitions. */
  readonly transitions: number;
}

export interface RunOptions {
  /** Lambda timeout each handler sees. @default 900000 (15 minutes) */
  readonly lambdaTimeoutMs?: number;
  /** Called as each state is entered, for progress output. */
  readonly onState?: (stateName: string) => void;
  readonly executionName?: string;
  /** Wait states to skip (ms to wait instead), e.g. the cadence's day-long waits on a virtual clock. */
  readonly waitTimeOverrides?: Record<string, number>;
  /** Wraps every handler call (e.g. to run it on the execution's virtual clock). */
  readonly aroundTask?: (stateName: string, payload: unknown, call: () => Promise<unknown>) => Promise<unknown>;
  /** Retry wait per state, ms. @default 10 for every Task (a local run) */
  readonly retryIntervalMs?: number;
}

/** Loads an ASL file and swaps its ${Placeholders} for stand-in Lambda ARNs. */
export function loadDefinition(aslPath: string): { definition: object; placeholders: string[] } {
  const text = readFileSync(aslPath, 'utf8');
  const placeholders = [...new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!))];
  const substituted = text.replace(/\$\{(\w+)\}/g, (_, name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`);
  return { definition: JSON.parse(substituted) as object, placeholders };
}

const machines = new Map<string, StateMachine>();

/**
 * One validated machine per ASL file: validating a definition costs more CPU than a short
 * execution, and hundreds of concurrent cadence executions would otherwise each pay it.
 */
function stateMachineFor(aslPath: string): StateMachine {
  let machine = machines.get(aslPath);
  if (!machine) {
    machine = new StateMachine(loadDefinition(aslPath).definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
    machines.set(aslPath, machine);
  }
  return machine;
}

/**
 * Runs the state machine once. `handlers` maps Task state names to handler functions;
 * a Task whose Resource is lambda:invoke gets its Payload and returns { Payload }.
 */
export async function runWorkflow(aslPath: string, input: unknown, handlers: Record<string, LocalHandler>, options: RunOptions = {}): Promise<ExecutionResult> {
  const machine = stateMachineFor(aslPath);
  const name = options.executionName ?? randomUUID();
  const executionId = `arn:aws:states:us-east-1:000000000000:execution:local:${name}`;
  const timeout = options.lambdaTimeoutMs ?? 900_000;

  const taskResourceLocalHandlers = Object.fromEntries(
    Object.entries(handlers).map(([state, handler]) => [
      state,
      async (taskInput: unknown) => {
        const started = Date.now();
        const payload = (taskInput as { Payload?: unknown }).Payload;
        const call = () => handler(payload, { getRemainingTimeInMillis: () => timeout - (Date.now() - started) });
        const result = options.aroundTask ? await options.aroundTask(state, payload, call) : await call();
        return { Payload: result ?? null } as never;
      },
    ]),
  );
  // Retries wait a moment, not the production backoff: this is a local run.
  const retryIntervalOverrides = Object.fromEntries(Object.keys(handlers).map((s) => [s, options.retryIntervalMs ?? 10]));

  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers, retryIntervalOverrides, waitTimeOverrides: options.waitTimeOverrides },
    context: { Execution: { Id: executionId, Name: name, StartTime: new Date().toISOString(), Input: input, RoleArn: 'arn:aws:iam::000000000000:role/local' } } as never,
  });
  let transitions = 0;
  const counting = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') {
        transitions += 1;
        options.onState?.(event.state.name);
      }
    }
  })();
  try {
    const output = await execution.result;
    await counting.catch(() => undefined);
    return { executionId, status: 'SUCCEEDED', output, transitions };
  } catch (e) {
    await counting.catch(() => undefined);
    if (!(e instanceof ExecutionError)) throw e;
    const cause = (e as Error).cause as Error | undefined;
    return { executionId, status: 'FAILED', error: cause?.name ?? 'ExecutionError', cause: cause?.message ?? (e as Error).message, transitions };
  }
}
