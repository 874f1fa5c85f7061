/**
 * The house way to deploy a workflow from an ASL file: checked definition substitutions,
 * a STANDARD state machine with X-Ray, its definition and execution history encrypted with
 * the stage key (inputs name people and numbers), every transition logged to a
 * KMS-encrypted group without execution data (payloads carry decisions and errors that must
 * not be copied into CloudWatch), and invoke rights on exactly the Lambdas it names.
 * Created in the caller's scope under `<id>` and `<id>Logs`, so logical ids stay put.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArnFormat, Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { acknowledge, iamWildcardResourceFinding } from '../compliance';
import { stateMachineLogGroupName } from '../naming';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** How long Step Functions reuses a data key: the longest allowed, fewest KMS calls (15 min). */
const DATA_KEY_REUSE = Duration.minutes(15);

/** What the workflow needs of a task's function (an OutreachFunction or a plain one). */
export interface InvokableFunction {
  readonly functionArn: string;
  grantInvoke(grantee: iam.IGrantable): unknown;
}

export interface WorkflowProps {
  readonly stateMachineName: string;
  readonly definitionFile: string;
  /** `${Placeholder}` → function; every placeholder of the file must be given, and no other. */
  readonly functions: Readonly<Record<string, InvokableFunction>>;
  readonly key: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  /** Named in the error when the file and the functions disagree. */
  readonly owner: string;
  /** What the role's policy allows, for the inline-policy acknowledgement. */
  readonly describe: string;
}

export function outreachWorkflow(scope: Construct, id: string, props: WorkflowProps): sfn.StateMachine {
  assertSubstitutionsMatch(props.definitionFile, Object.keys(props.functions), props.owner);
  const workflowLogs = new logs.LogGroup(scope, `${id}Logs`, {
    logGroupName: stateMachineLogGroupName(props.stateMachineName),
    encryptionKey: props.key,
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: props.removalPolicy,
  });
  const stateMachine = new sfn.StateMachine(scope, id, {
    stateMachineName: props.stateMachineName,
    stateMachineType: sfn.StateMachineType.STANDARD,
    definitionBody: sfn.DefinitionBody.fromFile(props.definitionFile),
    definitionSubstitutions: Object.fromEntries(Object.entries(props.functions).map(([name, fn]) => [name, fn.functionArn])),
    tracingEnabled: true,
    logs: { destination: workflowLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
    // CDK gives the workflow's role the key for this state machine's encryption context only.
    encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(keyForLogDelivery(props.key, Stack.of(scope)), DATA_KEY_REUSE),
  });
  for (const fn of new Set(Object.values(props.functions))) {
    fn.grantInvoke(stateMachine);
    acknowledge(
      stateMachine.role,
      iamWildcardResourceFinding(Stack.of(scope), `${fn.functionArn}:*`),
      'CDK invoke grant: the unqualified function plus its versions/aliases (":*") of this one function; nothing else.',
    );
  }
  acknowledge(
    stateMachine.role,
    'AwsSolutions-IAM5[Resource::*]',
    'X-Ray (PutTraceSegments, PutTelemetryRecords, GetSampling*) and CloudWatch Logs vended-log delivery (CreateLogDelivery, DescribeLogGroups, PutResourcePolicy, ...) have no resource-level permissions; the Step Functions documentation requires "*".',
  );
  acknowledge(stateMachine.role, 'HIPAA.Security-IAMNoInlinePolicy', `CDK's per-role policy of the workflow role: ${props.describe}; attached to this role only and versioned with the template.`);
  return stateMachine;
}

/**
 * The stage key as CDK's StateMachine sees it. With a customer-managed key and logging, CDK
 * adds a key-policy statement letting delivery.logs.amazonaws.com decrypt, from anywhere;
 * this limits it to log deliveries of this account and region (the confused-deputy
 * conditions the vended-logs documentation gives).
 */
function keyForLogDelivery(key: kms.IKey, stack: Stack): kms.IKey {
  return new Proxy(key, {
    get(target, property, receiver) {
      if (property !== 'addToResourcePolicy') return Reflect.get(target, property, receiver);
      return (statement: iam.PolicyStatement, allowNoOp?: boolean) => {
        statement.addCondition('StringEquals', { 'aws:SourceAccount': stack.account });
        statement.addCondition('ArnLike', { 'aws:SourceArn': stack.formatArn({ service: 'logs', resource: '*', arnFormat: ArnFormat.NO_RESOURCE_NAME }) });
        return target.addToResourcePolicy(statement, allowNoOp);
      };
    },
  });
}

/**
 * StartExecution on a workflow encrypted with the stage key: the caller needs the key too
 * (GenerateDataKey for the input, Decrypt for the definition), and only for that state
 * machine's encryption context.
 */
export function grantStartWorkflow(stateMachine: sfn.IStateMachine, key: kms.IKey, grantee: iam.IGrantable): void {
  stateMachine.grantStartExecution(grantee);
  grantWorkflowKey(stateMachine, key, grantee);
}

/** The key half of grantStartWorkflow, for a starter whose StartExecution CDK grants (an EventBridge target's role). */
export function grantWorkflowKey(stateMachine: sfn.IStateMachine, key: kms.IKey, grantee: iam.IGrantable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': stateMachine.stateMachineArn } },
    }),
  );
}

/** Fails synth when the ASL file's ${Placeholders} and the substitutions given differ. */
export function assertSubstitutionsMatch(definitionFile: string, provided: readonly string[], owner: string): void {
  const asl = fs.readFileSync(definitionFile, 'utf8');
  const wanted = new Set([...asl.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));
  const missing = [...wanted].filter((name) => !provided.includes(name));
  const unused = provided.filter((name) => !wanted.has(name));
  if (missing.length || unused.length) {
    throw new Error(
      `${path.relative(REPO_ROOT, definitionFile)} and ${owner} disagree: ` +
        [missing.length ? `no substitution for ${missing.join(', ')}` : '', unused.length ? `unused substitutions ${unused.join(', ')}` : ''].filter(Boolean).join('; '),
    );
  }
}
