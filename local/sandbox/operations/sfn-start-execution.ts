/**
 * Step Functions StartExecution (AWS JSON 1.0, X-Amz-Target: AWSStepFunctions.StartExecution).
 * Answers `{ executionArn, startDate }`: the state machine's ARN with `:stateMachine:` turned
 * into `:execution:` (a version or alias qualifier dropped) plus `:<name>`, the name defaulting
 * to a UUID. Idempotent as Step Functions is for a running execution — and sandbox executions
 * run forever: the same name with the same input answers the first call's executionArn and
 * startDate and records nothing; with another input it is ExecutionAlreadyExists. Each execution
 * started is a record of kind `executions`.
 */
import { randomUUID } from 'node:crypto';
import { SERVICES, ServiceError, type OperationModule } from '../protocol';
import { MemberChecks } from '../validation';

/** What a record of kind `executions` holds. */
export interface RecordedExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  /** The input parsed (`{}` when none was given). */
  input: unknown;
  /** ISO time the execution started. */
  startDate: string;
  traceHeader?: string;
}

/** arn:<partition>:states:<region>:<account>:stateMachine:<name>[:<version or alias>] */
const STATE_MACHINE_ARN = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):stateMachine:([^:\s]{1,80})(?::([^:\s]{1,80}))?$/;
/** Whitespace, brackets, wildcards, special and control characters a name must not contain. */
const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;
const MAX_INPUT_BYTES = 256 * 1024;

interface Started {
  executionArn: string;
  input: string;
  startDate: number;
}

export const startExecution: OperationModule = {
  service: SERVICES.sfn,
  name: 'StartExecution',
  recordKinds: ['executions'],
  handle({ body, now, record, store }) {
    const checks = new MemberChecks(body);
    checks.required('stateMachineArn');
    const arn = checks.string('stateMachineArn', { min: 1, max: 256 });
    const givenName = checks.string('name', { min: 1, max: 80 });
    const givenInput = checks.string('input');
    checks.string('traceHeader', { max: 256, pattern: /^[\x00-\x7f]*$/ });
    if (givenInput !== undefined && Buffer.byteLength(givenInput) > MAX_INPUT_BYTES) {
      checks.fail('input', undefined, `Member must have length less than or equal to ${MAX_INPUT_BYTES}`);
    }
    if (!checks.ok) throw new ServiceError('ValidationException', checks.message);

    const machine = STATE_MACHINE_ARN.exec(arn!);
    if (!machine) throw new ServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
    if (givenName !== undefined && NAME_FORBIDDEN.test(givenName)) {
      throw new ServiceError('InvalidName', `Invalid Name: '${givenName}'`);
    }
    const inputText = givenInput ?? '{}';
    let input: unknown;
    try {
      input = JSON.parse(inputText);
    } catch (error) {
      throw new ServiceError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: '${error instanceof Error ? error.message : String(error)}'`,
      );
    }

    const [, partition, region, account, machineName] = machine;
    const name = givenName ?? randomUUID();
    const executionArn = `arn:${partition}:states:${region}:${account}:execution:${machineName}:${name}`;
    const started = store.get(executionArn) as Started | undefined;
    if (started) {
      if (started.input !== inputText) {
        throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
      }
      return { body: { executionArn, startDate: started.startDate } };
    }

    const at = now();
    const startDate = at.getTime() / 1000; // epoch seconds, as AWS JSON timestamps travel
    store.set(executionArn, { executionArn, input: inputText, startDate } satisfies Started);
    record('executions', {
      executionArn,
      stateMachineArn: arn!,
      name,
      input,
      startDate: at.toISOString(),
      ...(typeof body.traceHeader === 'string' ? { traceHeader: body.traceHeader } : {}),
    } satisfies RecordedExecution);
    return { body: { executionArn, startDate } };
  },
};
