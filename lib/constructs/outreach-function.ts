/**
 * The house Lambda function: every handler in lambdas/handlers is deployed through this
 * construct so runtime, architecture, bundling, logging, tracing and Powertools settings
 * are decided once.
 *
 * Permissions come from `bindX()` helpers that set the environment variable the handler
 * reads AND the matching IAM grant in one call, so a handler can never see a resource
 * name without the right to use it (or the other way round). Where a CDK grant
 * necessarily contains a wildcard (S3 object ARNs, `s3:GetObject*`, `kms:ReEncrypt*`),
 * the helper that made the grant acknowledges exactly those cdk-nag findings on this
 * function's own role, with the reason.
 */
import * as path from 'node:path';
import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge, iamWildcardActionFinding, iamWildcardResourceFinding, valueSeenFrom } from '../compliance';
import { ORIGINATION_IDENTITIES_ENV, originationIdentitiesJson, type OriginationIdentities } from '../messaging-stack';
import { IMPORT_INBOX_PREFIX, IMPORT_REPORTS_PREFIX, lambdaLogGroupName } from '../naming';
import { contactCentersParameterName } from '../../lambdas/domain/stage-config';
import { grantStartWorkflow } from './workflow';

/** Where the stage config lands inside the deployed bundle (the Lambda task root). */
export const BUNDLED_STAGE_CONFIG_FILE = '/var/task/stage-config.json';

/** Environment variable names the runtime reads (lambdas/adapters/settings.ts). */
export const ENV = {
  trackerTableName: 'TRACKER_TABLE_NAME',
  importBucketName: 'IMPORT_BUCKET_NAME',
  reportsBucketName: 'REPORTS_BUCKET_NAME',
  eventBusName: 'EVENT_BUS_NAME',
  stageConfigFile: 'OUTREACH_CONFIG_FILE',
  configurationSetName: 'CONFIGURATION_SET_NAME',
  originationIdentities: ORIGINATION_IDENTITIES_ENV,
  cadenceStateMachineArn: 'CADENCE_STATE_MACHINE_ARN',
  runStateMachineArn: 'RUN_STATE_MACHINE_ARN',
  schedules: 'SCHEDULES',
  optOutListName: 'OPT_OUT_LIST_NAME',
} as const;

/** The one-time schedules' group, the role Scheduler invokes the targets with, and the targets (lambdas/adapters/message-scheduler.ts). */
export interface ScheduleResources {
  readonly groupName: string;
  readonly roleArn: string;
  readonly deadLetterArn: string;
  readonly targets: Readonly<Record<'sendMessage' | 'placeCallback' | 'resumeOutreach', string>>;
}

export type TableAccess = 'read' | 'readWrite';
export type ImportBucketAccess = 'read';
/** `write` puts objects (no delete, no read); `readWrite` adds read. */
export type ReportsBucketAccess = 'write' | 'readWrite';
export type PowertoolsLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' | 'CRITICAL';

/**
 * The End User Messaging resources a sender names: the messaging stack has exactly these
 * members, so `allowSendText(messagingStack)` works, and so does a plain object.
 */
export interface SendingResources {
  /** practiceId → SMS and voice origination identities. */
  readonly originationIdentities: OriginationIdentities;
  /** The configuration set every send names (delivery events). */
  readonly configurationSetName: string;
  /** The opt-out list the SMS identities are associated with. */
  readonly optOutListName: string;
}

export interface OutreachFunctionProps {
  /** Path of the handler module; it must export `handler`. */
  readonly entry: string;
  /**
   * Physical function name. Names are part of the contract: the log group is
   * `/aws/lambda/<functionName>`, which the data key's policy allows by prefix, and ops
   * and alarms find functions by it.
   */
  readonly functionName: string;
  /** Powertools service name: the `service` key on every log line, metric and trace of this function. */
  readonly serviceName: string;
  /** The stage config JSON file; it is copied into the bundle and the handler reads it at cold start. */
  readonly stageConfigFile: string;
  /** Customer-managed key that encrypts the function's log group. */
  readonly logEncryptionKey: kms.IKey;
  /** @default - no description */
  readonly description?: string;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 512 (MB); CPU scales with memory, so CPU-bound steps want more */
  readonly memorySize?: number;
  /**
   * Reserve (and cap) this many concurrent executions.
   * @default - no reservation: the function draws on the account's unreserved pool
   */
  readonly reservedConcurrentExecutions?: number;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** What happens to the log group when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** @default 'PatientOutreach' */
  readonly metricsNamespace?: string;
  /** @default 'INFO' */
  readonly logLevel?: PowertoolsLogLevel;
  /**
   * Dead-letter queue for failed asynchronous invocations. When the queue is KMS-encrypted,
   * the function's role may use its key to send (Lambda sends with the function's role).
   * @default - none: functions invoked synchronously (by Step Functions) report failures to their caller
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

export class OutreachFunction extends Construct implements iam.IGrantable {
  /** The Lambda function. */
  public readonly function: lambda.IFunction;
  /** The function's own role; every grant and acknowledgement of this function lands on it. */
  public readonly role: iam.IRole;
  /** The function's log group, encrypted with the stage key. */
  public readonly logGroup: logs.ILogGroup;
  public readonly grantPrincipal: iam.IPrincipal;

  private readonly handler: nodejs.NodejsFunction;
  /** The stage key: it encrypts the log group and the workflows this function starts. */
  private readonly stageKey: kms.IKey;

  constructor(scope: Construct, id: string, props: OutreachFunctionProps) {
    super(scope, id);
    this.stageKey = props.logEncryptionKey;

    // An own role instead of the default one: the default attaches the AWS managed
    // AWSLambdaBasicExecutionRole (write to any log group); this one may write to its own
    // log group only.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.functionName}`,
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: lambdaLogGroupName(props.functionName),
      encryptionKey: props.logEncryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    logGroup.grantWrite(role);
    const stageConfigFile = path.resolve(props.stageConfigFile);

    this.handler = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      functionName: props.functionName,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize ?? 512,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      deadLetterQueue: props.deadLetterQueue,
      environment: {
        [ENV.stageConfigFile]: BUNDLED_STAGE_CONFIG_FILE,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace ?? 'PatientOutreach',
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        // Traces and logs carry ids only: never copy handler results or events into them.
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        POWERTOOLS_LOGGER_LOG_EVENT: 'false',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        format: nodejs.OutputFormat.CJS,
        // Ship the SDK versions the lockfile pins (and the local engines are tested with),
        // not whatever the managed runtime happens to carry.
        bundleAwsSDK: true,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [
            `cp ${shellQuote(stageConfigFile)} ${shellQuote(path.posix.join(outputDir, 'stage-config.json'))}`,
          ],
        },
      },
    });

    // Lambda writes to the dead-letter queue with the function's role, so an encrypted
    // queue's key must let that role encrypt (sqs:SendMessage alone is refused).
    props.deadLetterQueue?.encryptionMasterKey?.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');

    this.function = this.handler;
    this.role = role;
    this.logGroup = logGroup;
    this.grantPrincipal = role;

    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions, so X-Ray requires Resource "*". Tests assert these are the only actions on "*" in function policies.',
    );
    acknowledge(
      role,
      'HIPAA.Security-IAMNoInlinePolicy',
      "The role's policy is CDK's per-role policy, attached to this one role only and holding only the grants made through bindX(); it is reviewed and versioned with the template.",
    );
  }

  public get functionArn(): string {
    return this.function.functionArn;
  }

  public get functionName(): string {
    return this.function.functionName;
  }

  /** Lets `grantee` invoke this function. */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.function.grantInvoke(grantee);
  }

  /** Sets TRACKER_TABLE_NAME and grants item access (and the table key) on the tracker table. */
  public bindTrackerTable(table: dynamodb.ITable, access: TableAccess): this {
    this.handler.addEnvironment(ENV.trackerTableName, table.tableName);
    if (access === 'read') {
      table.grantReadData(this);
    } else {
      table.grantReadWriteData(this);
      this.acknowledgeKeyWriteWildcards('the tracker table');
    }
    return this;
  }

  /**
   * Sets IMPORT_BUCKET_NAME and grants reading objects under one key prefix (and decrypting
   * them): uploaded import files under `inbox/` unless another prefix is given.
   */
  public bindImportBucket(bucket: s3.IBucket, access: ImportBucketAccess, prefix: string = IMPORT_INBOX_PREFIX): this {
    this.handler.addEnvironment(ENV.importBucketName, bucket.bucketName);
    if (access === 'read') {
      const keys = `${prefix}*`;
      bucket.grantRead(this, keys);
      this.acknowledgeObjectGrant(bucket, keys, ['s3:GetObject*', 's3:GetBucket*', 's3:List*'], `read the files uploaded under ${prefix}`);
    }
    return this;
  }

  /**
   * Sets REPORTS_BUCKET_NAME and grants writing (or reading and writing) objects under one
   * key prefix: import reports under `imports/` unless another prefix is given.
   */
  public bindReportsBucket(bucket: s3.IBucket, access: ReportsBucketAccess, prefix: string = IMPORT_REPORTS_PREFIX): this {
    this.handler.addEnvironment(ENV.reportsBucketName, bucket.bucketName);
    const keys = `${prefix}*`;
    // grantPut, not grantWrite: a report writer never deletes.
    bucket.grantPut(this, keys);
    const actions = ['s3:Abort*'];
    if (access === 'readWrite') {
      bucket.grantRead(this, keys);
      actions.push('s3:GetObject*', 's3:GetBucket*', 's3:List*');
    }
    this.acknowledgeObjectGrant(bucket, keys, actions, `write reports under ${prefix} (multipart uploads need s3:AbortMultipartUpload)`);
    this.acknowledgeKeyWriteWildcards('the reports bucket');
    return this;
  }

  /** Sets EVENT_BUS_NAME and grants events:PutEvents on that bus only. */
  public bindEventBus(bus: events.IEventBus): this {
    this.handler.addEnvironment(ENV.eventBusName, bus.eventBusName);
    bus.grantPutEventsTo(this);
    return this;
  }

  /**
   * Grants mobiletargeting:PhoneNumberValidate. The API has a single resource,
   * `arn:<partition>:mobiletargeting:<region>:<account>:phone/number/validate`.
   */
  public allowPhoneNumberValidate(): this {
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['mobiletargeting:PhoneNumberValidate'],
        resources: [Stack.of(this).formatArn({ service: 'mobiletargeting', resource: 'phone', resourceName: 'number/validate' })],
      }),
    );
    return this;
  }

  /**
   * Sets CONFIGURATION_SET_NAME and ORIGINATION_IDENTITIES and grants
   * sms-voice:SendTextMessage on the practices' SMS origination identities, the
   * configuration set and the SMS opt-out list, and nothing else (no voice identity).
   * IAM authorises a send against the origination identity resource (phone-number/<id>,
   * pool/<id> or sender-id/<id>/<country>), the configuration set the request names and
   * the opt-out list of the identity (Service Authorization Reference, "AWS End User
   * Messaging SMS and Voice V2", SendTextMessage). See `originationIdentityResource` for
   * identities configured as E.164 numbers.
   */
  public allowSendText(messaging: SendingResources): this {
    const stack = Stack.of(this);
    this.setSendingEnvironment(messaging);
    const identities = this.identityResources(messaging.originationIdentities, 'sms');
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sms-voice:SendTextMessage'],
        resources: [
          ...identities,
          configurationSetArn(stack, messaging.configurationSetName),
          stack.formatArn({ service: 'sms-voice', resource: 'opt-out-list', resourceName: messaging.optOutListName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
        ],
      }),
    );
    return this;
  }

  /**
   * Sets OPT_OUT_LIST_NAME and grants putting numbers on and taking them off that one opt-out
   * list (the system heard an opt-out, or an opt-in, the service did not).
   */
  public allowManageOptOuts(messaging: Pick<SendingResources, 'optOutListName'>): this {
    const stack = Stack.of(this);
    this.handler.addEnvironment(ENV.optOutListName, messaging.optOutListName);
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sms-voice:PutOptedOutNumber', 'sms-voice:DeleteOptedOutNumber'],
        resources: [stack.formatArn({ service: 'sms-voice', resource: 'opt-out-list', resourceName: messaging.optOutListName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
      }),
    );
    return this;
  }

  /**
   * Sets CONFIGURATION_SET_NAME and ORIGINATION_IDENTITIES and grants
   * sms-voice:SendVoiceMessage on the practices' voice origination identities and the
   * configuration set only (never an SMS identity: numbers that both text and call get
   * flagged as spam). Voice numbers have no opt-out list.
   */
  public allowSendVoice(messaging: Omit<SendingResources, 'optOutListName'>): this {
    const stack = Stack.of(this);
    this.setSendingEnvironment(messaging);
    const identities = this.identityResources(messaging.originationIdentities, 'voice');
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sms-voice:SendVoiceMessage'],
        resources: [...identities, configurationSetArn(stack, messaging.configurationSetName)],
      }),
    );
    return this;
  }

  /**
   * Grants connect:StartOutboundVoiceContact on the contacts of one Amazon Connect
   * instance (`instance/<id>/contact/*`: the contact id is created by the call itself).
   * Pass the instance id or ARN; call once per instance.
   */
  public allowOutboundCall(instance: string): this {
    return this.allowOnContacts(
      instance,
      'connect:StartOutboundVoiceContact',
      `StartOutboundVoiceContact is authorised against the contact it creates, whose id exists only after the call; "contact/*" is limited to the one Connect instance ${instance}.`,
    );
  }

  /** Grants connect:GetContactAttributes on the instance's contacts (where agents record dispositions). */
  public allowReadContactAttributes(instance: string): this {
    return this.allowOnContacts(
      instance,
      'connect:GetContactAttributes',
      `GetContactAttributes reads the contact a contact event names, which can be any contact of the instance; "contact/*" is limited to the one Connect instance ${instance}.`,
    );
  }

  private allowOnContacts(instance: string, action: string, reason: string): this {
    const stack = Stack.of(this);
    const contacts = instance.startsWith('arn:')
      ? `${instance}/contact/*`
      : stack.formatArn({ service: 'connect', resource: 'instance', resourceName: `${instance}/contact/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    this.handler.addToRolePolicy(new iam.PolicyStatement({ actions: [action], resources: [contacts] }));
    acknowledge(this.role, iamWildcardResourceFinding(stack, contacts), reason);
    return this;
  }

  /**
   * Sets SCHEDULES and grants creating, moving and deleting one-time schedules in that one
   * group, and passing the one role Scheduler invokes the targets with (to Scheduler only).
   */
  public bindSchedules(schedules: ScheduleResources): this {
    const stack = Stack.of(this);
    this.handler.addEnvironment(ENV.schedules, stack.toJsonString(schedules));
    const inGroup = stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${schedules.groupName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    this.handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'], resources: [inGroup] }));
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [schedules.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } }),
    );
    acknowledge(
      this.role,
      iamWildcardResourceFinding(stack, inGroup),
      `Schedules are named at run time after the appointment or contact they are for; "schedule/${schedules.groupName}/*" is limited to the stage's one-time message group (the daily manifest lives in another).`,
    );
    return this;
  }

  /** Grants ssm:GetParameter on the one parameter where the ContactCenter stack leaves the ids of the instances it created. */
  public allowReadCreatedContactCenters(stage: string): this {
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [Stack.of(this).formatArn({ service: 'ssm', resource: 'parameter', resourceName: contactCentersParameterName(stage).slice(1) })] }),
    );
    return this;
  }

  /** Sets CADENCE_STATE_MACHINE_ARN and grants states:StartExecution (and its key) on that state machine only. */
  public bindCadenceWorkflow(stateMachine: sfn.IStateMachine): this {
    this.handler.addEnvironment(ENV.cadenceStateMachineArn, stateMachine.stateMachineArn);
    grantStartWorkflow(stateMachine, this.stageKey, this);
    return this;
  }

  /** Sets RUN_STATE_MACHINE_ARN and grants states:StartExecution (and its key) on that (broadcast and campaign run) state machine only. */
  public bindRunWorkflow(stateMachine: sfn.IStateMachine): this {
    this.handler.addEnvironment(ENV.runStateMachineArn, stateMachine.stateMachineArn);
    grantStartWorkflow(stateMachine, this.stageKey, this);
    return this;
  }

  private setSendingEnvironment(messaging: Omit<SendingResources, 'optOutListName'>): void {
    this.handler.addEnvironment(ENV.configurationSetName, messaging.configurationSetName);
    this.handler.addEnvironment(ENV.originationIdentities, originationIdentitiesJson(this, messaging.originationIdentities));
  }

  /** The IAM resources of every practice's `channel` identity, deduplicated; wildcards acknowledged with the reason. */
  private identityResources(identities: OriginationIdentities, channel: 'sms' | 'voice'): string[] {
    const stack = Stack.of(this);
    const byResource = new Map<string, { arn: string; wildcard?: IdentityWildcard; practices: string[] }>();
    for (const [practiceId, identity] of Object.entries(identities)) {
      const resource = originationIdentityResource(this, identity[channel].identity);
      const key = JSON.stringify(stack.resolve(resource.arn));
      const entry = byResource.get(key) ?? { ...resource, practices: [] };
      entry.practices.push(practiceId);
      byResource.set(key, entry);
    }
    for (const { arn, wildcard, practices } of byResource.values()) {
      if (!wildcard) continue;
      const who = `the ${channel === 'sms' ? 'SMS' : 'voice'} identity of ${practices.join(', ')}`;
      const reason =
        wildcard === 'e164'
          ? `${who} is configured as an E.164 number. IAM authorises sends against the number's phone-number/<PhoneNumberId> ARN, which cannot be derived from the number, so this one action is granted on this account's phone numbers in ${stack.region}. Ops: configure the PhoneNumberId or PhoneNumberArn (aws pinpoint-sms-voice-v2 describe-phone-numbers) and the grant narrows to that one number.`
          : `${who} is a sender ID; its ARN ends in the ISO country code (sender-id/<SenderId>/<country>), which the stage config does not carry, so the grant covers that one sender ID in every country.`;
      acknowledge(this.role, iamWildcardResourceFinding(stack, arn), reason);
      Annotations.of(this).addWarningV2(
        `outreach:origination-identity-${wildcard}`,
        `${who}: ${wildcard === 'e164' ? 'configure the PhoneNumberId or ARN instead of the E.164 number to scope the send permission to that number' : 'the send permission covers the sender ID in every country'}.`,
      );
    }
    return [...byResource.values()].map((r) => r.arn);
  }

  private acknowledgeObjectGrant(bucket: s3.IBucket, keys: string, actions: string[], purpose: string): void {
    const stack = Stack.of(this);
    const objects = `${valueSeenFrom(stack, bucket, bucket.bucketArn)}/${keys}`;
    acknowledge(
      this.role,
      iamWildcardResourceFinding(stack, objects),
      `CDK bucket grant scoped to the key prefix ${keys}: the function must ${purpose}, whose object keys are only known at run time.`,
    );
    for (const action of actions) {
      acknowledge(
        this.role,
        iamWildcardActionFinding(action),
        `${action} is part of CDK's bucket grant (object/version reads, multipart abort) and is limited to ${keys} of one bucket.`,
      );
    }
  }

  private acknowledgeKeyWriteWildcards(what: string): void {
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      acknowledge(
        this.role,
        iamWildcardActionFinding(action),
        `${action} comes from CDK's grant for writing ${what}, encrypted with the stage's customer-managed key; the resource is that one key.`,
      );
    }
  }
}

type IdentityWildcard = 'e164' | 'sender-id';

/**
 * The ARN IAM authorises a send from `identity` against. An origination identity may be
 * given (SendTextMessage's OriginationIdentity) as an ARN, a PhoneNumberId (`phone-…`), a
 * PoolId (`pool-…`), a sender ID, or the phone number in E.164. The first three name one
 * resource. A phone number's ARN carries its PhoneNumberId, not the number, so an E.164
 * identity can only be matched by the account's `phone-number/*`; a sender ID's ARN ends
 * in its country, which the config does not carry. Both come back with `wildcard` set.
 */
export function originationIdentityResource(scope: Construct, identity: string): { readonly arn: string; readonly wildcard?: IdentityWildcard } {
  const stack = Stack.of(scope);
  const arn = (resource: string, resourceName: string) =>
    stack.formatArn({ service: 'sms-voice', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  // A token is the ARN of a number the messaging stack requested (CfnPhoneNumber.attrArn).
  if (Token.isUnresolved(identity) || identity.startsWith('arn:')) return { arn: identity };
  if (/^phone-[A-Za-z0-9]+$/.test(identity)) return { arn: arn('phone-number', identity) };
  if (/^pool-[A-Za-z0-9]+$/.test(identity)) return { arn: arn('pool', identity) };
  if (/^\+[1-9]\d{1,18}$/.test(identity)) return { arn: arn('phone-number', '*'), wildcard: 'e164' };
  return { arn: arn('sender-id', `${identity}/*`), wildcard: 'sender-id' };
}

function configurationSetArn(stack: Stack, name: string): string {
  return stack.formatArn({ service: 'sms-voice', resource: 'configuration-set', resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

/** POSIX shell single-quoting for the bundling hook command. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
