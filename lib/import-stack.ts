/**
 * The monthly import: a file dropped under `inbox/` in the import bucket starts the import
 * workflow (statemachines/import.asl.json) through an EventBridge rule; the workflow runs
 * the six import functions, one of which (enroll) starts one cadence execution per
 * enrolled person. This stack holds no data of its own; it can be destroyed and
 * redeployed without touching the tracker or the buckets.
 */
import * as path from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../lambdas/domain/stage-config';
import { acknowledge } from './compliance';
import { OutreachFunction, type OutreachFunctionProps } from './constructs/outreach-function';
import { grantWorkflowKey, outreachWorkflow } from './constructs/workflow';
import { IMPORT_INBOX_PREFIX, importTriggerDeadLetterQueueName, importWorkflowName, resourceName } from './naming';
import { objectCreatedUnder } from './data-stack';

const REPO_ROOT = path.resolve(__dirname, '..');
const HANDLERS = path.join(REPO_ROOT, 'lambdas', 'handlers');
export const IMPORT_WORKFLOW_DEFINITION = path.join(REPO_ROOT, 'statemachines', 'import.asl.json');

export interface ImportStackProps extends StackProps {
  /** The parsed stage config. */
  readonly config: StageConfig;
  /** Path of the stage config file; it is bundled with every function. */
  readonly stageConfigFile: string;
  /** The stage key: encrypts log groups and the trigger's dead-letter queue. */
  readonly key: kms.IKey;
  readonly trackerTable: dynamodb.ITable;
  readonly importBucket: s3.IBucket;
  readonly reportsBucket: s3.IBucket;
  readonly eventBus: events.IEventBus;
  /**
   * The cadence workflow (outreach stack) the enroll step starts executions of. The import
   * stack depends on the outreach stack for it, never the other way round.
   */
  readonly cadenceStateMachine: sfn.IStateMachine;
}

export class ImportStack extends Stack {
  public readonly stateMachine: sfn.IStateMachine;
  /** The import functions by workflow step; the keys match the ASL's `${Import<Step>FunctionArn}` placeholders. */
  public readonly functions: Readonly<Record<'Begin' | 'Rows' | 'Validate' | 'Enroll' | 'Finish' | 'Fail', OutreachFunction>>;
  /** Receives S3 "Object Created" events the rule could not deliver to the workflow. */
  public readonly triggerDeadLetterQueue: sqs.IQueue;

  constructor(scope: Construct, id: string, props: ImportStackProps) {
    super(scope, id, props);
    const { config } = props;
    const stage = config.stage;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const importFunction = (
      step: string,
      file: string,
      extra: Pick<OutreachFunctionProps, 'timeout' | 'memorySize' | 'reservedConcurrentExecutions' | 'description'>,
    ): OutreachFunction =>
      new OutreachFunction(this, `Import${step}`, {
        entry: path.join(HANDLERS, file),
        functionName: resourceName(stage, `import-${step.toLowerCase()}`),
        serviceName: 'outreach-import',
        stageConfigFile: props.stageConfigFile,
        logEncryptionKey: props.key,
        logRemovalPolicy: removalPolicy,
        ...extra,
      });

    // Each timeout is within the TimeoutSeconds of the Task that calls the function in the
    // ASL (rows, validate and enroll at the 15-minute Lambda maximum).
    const begin = importFunction('Begin', 'import-begin.ts', {
      description: 'Claims an uploaded file for import (once per object version)',
      timeout: Duration.minutes(2),
    })
      .bindTrackerTable(props.trackerTable, 'readWrite')
      .bindImportBucket(props.importBucket, 'read');

    const rows = importFunction('Rows', 'import-rows.ts', {
      description: 'Imports one checkpointed chunk of rows into the tracker',
      timeout: Duration.minutes(15),
      memorySize: 1024,
    })
      .bindTrackerTable(props.trackerTable, 'readWrite')
      .bindImportBucket(props.importBucket, 'read');

    const validate = importFunction('Validate', 'import-validate.ts', {
      description: 'Classifies new phone numbers with PhoneNumberValidate, paced to the account limit',
      timeout: Duration.minutes(15),
      // PhoneNumberValidate is rate-limited per account, not per import. The validator paces
      // itself to validation.ratePerSecond; one validator at a time keeps that pace the
      // account's pace even when several practices' imports run concurrently (a second
      // workflow gets TooManyRequests and retries with backoff, as the ASL says).
      reservedConcurrentExecutions: 1,
    })
      .bindTrackerTable(props.trackerTable, 'readWrite')
      .allowPhoneNumberValidate();

    const enroll = importFunction('Enroll', 'import-enroll.ts', {
      description: 'Enrolls the people an import touched and starts one cadence execution each',
      timeout: Duration.minutes(15),
    })
      .bindTrackerTable(props.trackerTable, 'readWrite')
      .bindCadenceWorkflow(props.cadenceStateMachine);

    const finish = importFunction('Finish', 'import-finish.ts', {
      description: 'Writes the import summary report and publishes the summary event',
      timeout: Duration.minutes(5),
    })
      .bindTrackerTable(props.trackerTable, 'readWrite')
      .bindReportsBucket(props.reportsBucket, 'write')
      .bindEventBus(props.eventBus);

    const fail = importFunction('Fail', 'import-fail.ts', {
      description: 'Records a failed import, writes its report and publishes the failure event',
      timeout: Duration.minutes(2),
    })
      .bindTrackerTable(props.trackerTable, 'readWrite')
      .bindReportsBucket(props.reportsBucket, 'write')
      .bindEventBus(props.eventBus);

    this.functions = { Begin: begin, Rows: rows, Validate: validate, Enroll: enroll, Finish: finish, Fail: fail };

    for (const fn of Object.values(this.functions)) {
      acknowledge(
        fn,
        'HIPAA.Security-LambdaDLQ',
        'Invoked synchronously by the import workflow only; failures return to the workflow, whose Retry/Catch records them (RecordFailure). A Lambda DLQ applies to asynchronous invocations and would never receive anything.',
      );
      acknowledge(
        fn,
        'HIPAA.Security-LambdaInsideVPC',
        'Reaches only AWS public service endpoints (DynamoDB, S3, EventBridge, Pinpoint, Step Functions) over TLS with IAM; there is no VPC resource to reach, and a VPC would add NAT/endpoint cost without narrowing access.',
      );
      if (fn !== validate) {
        acknowledge(
          fn,
          'HIPAA.Security-LambdaConcurrency',
          'Only the import workflow invokes it, one call per running import at a time, so concurrency is already bounded by concurrent imports; a reservation would permanently take capacity from the account pool (Lambda keeps at least 100 unreserved).',
        );
      }
    }

    const stateMachine = outreachWorkflow(this, 'ImportWorkflow', {
      stateMachineName: importWorkflowName(stage),
      definitionFile: IMPORT_WORKFLOW_DEFINITION,
      functions: Object.fromEntries(Object.entries(this.functions).map(([step, fn]) => [`Import${step}FunctionArn`, fn])),
      key: props.key,
      removalPolicy,
      owner: 'ImportStack',
      describe: 'invoke on the six import functions, tracing and log delivery',
    });

    const triggerDlq = new sqs.Queue(this, 'ImportTriggerDeadLetterQueue', {
      // Named: the outreach stack's alarm and dashboard find it by name (that stack deploys first).
      queueName: importTriggerDeadLetterQueueName(stage),
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      triggerDlq,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue of the import trigger rule target; a dead-letter queue of a dead-letter queue adds nothing.',
    );

    const trigger = new events.Rule(this, 'ImportUploadedRule', {
      description: `Starts ${importWorkflowName(stage)} for files uploaded under ${IMPORT_INBOX_PREFIX} in the import bucket`,
      eventPattern: objectCreatedUnder(props.importBucket, IMPORT_INBOX_PREFIX),
    });
    // The workflow input is the raw EventBridge event (the ASL's BeginImport reads it).
    trigger.addTarget(
      new targets.SfnStateMachine(stateMachine, {
        deadLetterQueue: triggerDlq,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      }),
    );
    // CDK's SfnStateMachine target makes this role as a child of the state machine; starting
    // the encrypted workflow takes its key as well.
    const triggerRole = stateMachine.node.findChild('EventsRole') as iam.Role;
    grantWorkflowKey(stateMachine, props.key, triggerRole);
    acknowledge(
      triggerRole,
      'HIPAA.Security-IAMNoInlinePolicy',
      "CDK's per-role policy of the rule target role: states:StartExecution on the import workflow, and the stage key for that workflow's encryption context only.",
    );

    this.stateMachine = stateMachine;
    this.triggerDeadLetterQueue = triggerDlq;

    new CfnOutput(this, 'ImportStateMachineArn', { value: stateMachine.stateMachineArn });
  }
}

/** Fails synth when the ASL's `${...}` placeholders and the substitutions CDK provides drift apart. */
