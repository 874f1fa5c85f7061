/**
 * Contact center: Amazon Connect for the practices that have `contactCenter` in the stage
 * config. Per practice, either
 * - an instance this stack creates (`instanceAlias`): the instance (Connect-managed users,
 *   inbound and outbound calls, flow logs into `/aws/connect/<alias>`, created here first with
 *   the stage key and a year's retention), its call recordings and chat transcripts in the
 *   reports bucket under `connect/<practice>/` with the stage key, the agents' hours of
 *   operation, the outreach queue, a routing profile, a claimed voice number answered by the
 *   inbound IVR, and the flows; or
 * - an existing instance (`instanceId`), in which only the flows are created (its queue,
 *   outbound flow and numbers stay the ops team's).
 * In both, the flows of connect/flows/ (placeholders filled here, checked by
 * lib/connect-flows.ts) and the Lambda functions they invoke: the caller lookup (created
 * here, read-only on the tracker) and record-disposition (the outreach stack's, referenced
 * by its fixed name so this stack never depends on that one), each associated with the
 * instance and invocable by Connect for that instance only.
 *
 * What each practice ends up with (ids and ARNs) is in `practices` and in the stack
 * outputs, for the outreach stack and for ops.
 */
import * as path from 'node:path';
import { ArnFormat, CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as connect from 'aws-cdk-lib/aws-connect';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { closedDays, WEEKDAYS, type WeeklyHours } from '../lambdas/domain/agent-hours';
import { contactCentersParameterName, type PracticeProfile, type StageConfig } from '../lambdas/domain/stage-config';
import { acknowledge, iamWildcardResourceFinding } from './compliance';
import { CONTACT_FLOW_FILES, loadFlow, placeholdersIn, readFlowFile, validateFlow, type ContactFlowRole } from './connect-flows';
import { OutreachFunction } from './constructs/outreach-function';
import { CONNECT_RECORDINGS_PREFIX, connectFlowLogGroupName, createdInstanceEventsDeadLetterQueueName, lambdaLogGroupName, resourceName } from './naming';

const HANDLERS = path.resolve(__dirname, '..', 'lambdas', 'handlers');

/** Where created instances keep call recordings and chat transcripts in the reports bucket. */
export const CONNECT_STORAGE_PREFIX = CONNECT_RECORDINGS_PREFIX;

/** The storage Connect writes for an instance this stack creates. */
export const CONNECT_STORAGE_TYPES = ['CALL_RECORDINGS', 'CHAT_TRANSCRIPTS'] as const;

export interface ContactCenterStackProps extends StackProps {
  /** The parsed stage config; only practices with `contactCenter` get anything. */
  readonly config: StageConfig;
  /** Path of the stage config file; it is bundled with the caller lookup function. */
  readonly stageConfigFile: string;
  /** The stage key: encrypts the function's logs, and the recordings and flow logs of created instances. */
  readonly key: kms.IKey;
  /** The caller lookup reads the phone → person index and the profiles here. */
  readonly trackerTable: dynamodb.ITable;
  /** Created instances write call recordings and chat transcripts under `connect/<practice>/` here. */
  readonly reportsBucket: s3.IBucket;
  /**
   * The outreach stack's functions that call through Connect and read its contacts: for an
   * instance created here, this stack grants them that instance, feeds its contact events to
   * record-disposition and leaves its ids in an SSM parameter they read.
   */
  readonly callers?: ContactCenterCallers;
}

export interface ContactCenterCallers {
  /** Roles that start outbound calls (queue-agent-call, place-callback, drop-voicemail). */
  readonly startCalls: readonly iam.IRole[];
  readonly recordDisposition?: { readonly role: iam.IRole; readonly functionArn: string };
}

/** What one practice's contact center is made of, for the outreach stack and ops. */
export interface PracticeContactCenter {
  readonly practiceId: string;
  /** Whether this stack created the instance (`instanceAlias`) or uses an existing one (`instanceId`). */
  readonly created: boolean;
  readonly instanceId: string;
  readonly instanceArn: string;
  /** The agents' outreach queue (created, or the config's). */
  readonly queueId: string;
  /** The flow the cadence's agent calls start (StartOutboundVoiceContact): created outbound-call flow, or the config's. */
  readonly outboundFlowId: string;
  /** The agent whisper of outreach calls (the created outbound-call flow sets it; with an existing instance, wire it into yours). */
  readonly outboundWhisperFlowId: string;
  /** The voicemail flow (answering-machine detection, then the message). */
  readonly voicemailFlowId: string;
  /** The inbound IVR; a created instance's claimed number is associated with it. */
  readonly inboundFlowId: string;
  /** The number claimed in a created instance. */
  readonly phoneNumberArn?: string;
}

export class ContactCenterStack extends Stack {
  /** Per practice id, what its contact center is made of. */
  public readonly practices: Readonly<Record<string, PracticeContactCenter>>;
  /** The IVR's caller lookup (one for the stage; associated with every instance). */
  public readonly callerLookupFunction: OutreachFunction;
  /** ARN of the outreach stack's record-disposition function, as the flows invoke it. */
  public readonly recordDispositionFunctionArn: string;

  private readonly stage: string;
  private readonly key: kms.IKey;
  private readonly removalPolicy: RemovalPolicy;
  private sdkCall?: { role: iam.IRole; logGroup: logs.ILogGroup; functionName: string };

  constructor(scope: Construct, id: string, props: ContactCenterStackProps) {
    super(scope, id, props);
    const { config } = props;
    const stage = config.stage;
    this.stage = stage;
    this.key = props.key;
    this.removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const practices = config.practices.filter((p) => p.contactCenter !== undefined);
    if (practices.length === 0) throw new Error('ContactCenterStack: no practice has a contactCenter; do not create the stack');
    const aliases = practices.map((p) => p.contactCenter!.instanceAlias).filter((a): a is string => a !== undefined);
    const twice = aliases.filter((a, i) => aliases.indexOf(a) !== i);
    if (twice.length > 0) throw new Error(`contactCenter.instanceAlias ${[...new Set(twice)].join(', ')} is given by more than one practice; each created instance needs its own alias`);

    this.callerLookupFunction = new OutreachFunction(this, 'CallerLookup', {
      entry: path.join(HANDLERS, 'lookup-caller.ts'),
      functionName: resourceName(stage, 'lookup-caller'),
      serviceName: 'outreach-contact-center',
      description: 'Tells the inbound IVR (and the agent) who in the tracker has the calling number',
      stageConfigFile: props.stageConfigFile,
      logEncryptionKey: props.key,
      logRemovalPolicy: this.removalPolicy,
      // The flow waits at most 3 s (InvocationTimeLimitSeconds in inbound-ivr.json).
      timeout: Duration.seconds(3),
      memorySize: 256,
    });
    allowTrackerQueries(this.callerLookupFunction, props.trackerTable, props.key);
    acknowledgeFlowFunction(this.callerLookupFunction);

    this.recordDispositionFunctionArn = this.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: resourceName(stage, 'record-disposition'),
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    // Instances several practices share get the function associations once.
    const associated = new Map<string, Construct[]>();
    const result: Record<string, PracticeContactCenter> = {};
    for (const practice of practices) {
      const cc = practice.contactCenter!;
      const scopeId = pascal(practice.id);
      const instance = cc.instanceAlias !== undefined ? this.createInstance(practice, scopeId, props) : undefined;
      const instanceArn = instance?.instanceArn ?? this.formatArn({ service: 'connect', resource: 'instance', resourceName: cc.instanceId!, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
      const instanceId = instance?.instanceId ?? cc.instanceId!;
      const queueArn = instance?.queueArn ?? `${instanceArn}/queue/${cc.queueId!}`;

      let associations = associated.get(instanceId);
      if (!associations) {
        // Named after the first practice of the instance: logical ids stay put when practices are added after it.
        associations = [
          allowConnectToInvoke(this, `${scopeId}CallerLookup`, { functionArn: this.callerLookupFunction.functionArn, instanceArn }),
          allowConnectToInvoke(this, `${scopeId}RecordDisposition`, { functionArn: this.recordDispositionFunctionArn, instanceArn }),
        ];
        associated.set(instanceId, associations);
      }

      const values = practiceFlowValues(practice);
      const flow = (role: ContactFlowRole, extra: Record<string, string>) => {
        const file = CONTACT_FLOW_FILES[role];
        const content = loadFlow(file.file, pickUsed(role, { ...values, ...extra }));
        const problems = validateFlow(content, { flowType: file.type });
        if (problems.length > 0) throw new Error(`contact flow ${file.file} for ${practice.id}:\n  - ${problems.join('\n  - ')}`);
        const resource = new connect.CfnContactFlow(this, `${scopeId}${pascal(role)}Flow`, {
          instanceArn,
          name: resourceName(stage, `${practice.id}-${kebab(role)}`),
          type: file.type,
          description: `${practice.displayName}: ${file.description}`,
          state: 'ACTIVE',
          // The files' Metadata documents them; Connect gets the flow itself.
          content: this.toJsonString({ Version: content.Version, StartAction: content.StartAction, Actions: content.Actions }),
        });
        // Connect checks the Lambda functions a flow invokes are associated with the instance.
        resource.node.addDependency(...associations!);
        return { arn: resource.attrContactFlowArn, id: idInInstance(resource.attrContactFlowArn) };
      };

      const functions = { CallerLookupFunctionArn: this.callerLookupFunction.functionArn, RecordDispositionFunctionArn: this.recordDispositionFunctionArn };
      const whisper = flow('outboundWhisper', {});
      const voicemail = flow('voicemail', functions);
      const inbound = flow('inboundIvr', { ...functions, QueueArn: queueArn });
      const outboundCall = instance ? flow('outboundCall', { QueueArn: queueArn, OutboundWhisperFlowArn: whisper.arn }) : undefined;
      if (instance) this.answerWithInboundFlow(scopeId, instance, inbound);

      result[practice.id] = {
        practiceId: practice.id,
        created: instance !== undefined,
        instanceId,
        instanceArn,
        queueId: instance ? idInInstance(instance.queueArn) : cc.queueId!,
        outboundFlowId: outboundCall?.id ?? cc.outboundFlowId!,
        outboundWhisperFlowId: whisper.id,
        voicemailFlowId: voicemail.id,
        inboundFlowId: inbound.id,
        ...(instance ? { phoneNumberArn: instance.phoneNumberArn } : {}),
      };
      this.outputs(scopeId, result[practice.id]!);
    }
    this.practices = result;
    const created = Object.values(result).filter((r) => r.created);
    if (created.length > 0) this.handOverCreated(created, props.callers);
  }

  /**
   * What the outreach stack cannot know about the instances created here: their ids (one SSM
   * parameter, read by the functions that call), the right to call and read their contacts,
   * and their COMPLETED contact events delivered to record-disposition.
   */
  private handOverCreated(created: readonly PracticeContactCenter[], callers: ContactCenterCallers | undefined): void {
    new ssm.StringParameter(this, 'CreatedContactCenterIds', {
      parameterName: contactCentersParameterName(this.stage),
      description: 'Ids of the Connect instances the ContactCenter stack created, by practice (read by the outreach functions that call)',
      stringValue: this.toJsonString(Object.fromEntries(created.map((c) => [c.practiceId, { instanceId: c.instanceId, queueId: c.queueId, outboundFlowId: c.outboundFlowId, voicemailFlowId: c.voicemailFlowId }]))),
    });
    if (!callers) return;
    const contacts = created.map((c) => `${c.instanceArn}/contact/*`);
    const grant = (id: string, roles: readonly iam.IRole[], action: string) => {
      if (roles.length === 0) return;
      const policy = new iam.Policy(this, id, { roles: [...roles], statements: [new iam.PolicyStatement({ actions: [action], resources: contacts })] });
      for (const resource of contacts) {
        acknowledge(policy, iamWildcardResourceFinding(this, resource), `${action} is authorised against the contact, whose id exists only once the call does; "contact/*" is limited to one Connect instance this stack created.`);
      }
      acknowledge(policy, 'HIPAA.Security-IAMNoInlinePolicy', `Grants the outreach stack's functions ${action} on the instances created here; it lives with the instances, so the outreach stack need not depend on this one.`);
    };
    grant('CreatedInstanceCalls', callers.startCalls, 'connect:StartOutboundVoiceContact');
    const dispositions = callers.recordDisposition;
    if (!dispositions) return;
    grant('CreatedInstanceContactAttributes', [dispositions.role], 'connect:GetContactAttributes');
    const recordDisposition = lambda.Function.fromFunctionAttributes(this, 'RecordDisposition', { functionArn: dispositions.functionArn, sameEnvironment: true });
    // Its own dead-letter queue: the outreach stack's would need a policy naming this rule (a cycle).
    // Named: the outreach stack's alarm and dashboard find it by name (that stack deploys first).
    const deadLetters = new sqs.Queue(this, 'CreatedInstanceEventsDeadLetterQueue', { queueName: createdInstanceEventsDeadLetterQueueName(this.stage), encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: this.key, enforceSSL: true, retentionPeriod: Duration.days(14) });
    acknowledge(deadLetters, 'AwsSolutions-SQS3', 'This queue is itself the dead-letter queue of the created instances\' contact-event rule; a dead-letter queue of a dead-letter queue adds nothing.');
    new events.Rule(this, 'CreatedInstanceContactCompletedRule', {
      description: 'Sends each completed contact of the instances created here (after-contact work done) to record-disposition',
      eventPattern: { source: ['aws.connect'], detailType: ['Amazon Connect Contact Event'], detail: { eventType: ['COMPLETED'], instanceArn: created.map((c) => c.instanceArn) } },
      targets: [new targets.LambdaFunction(recordDisposition, { deadLetterQueue: deadLetters, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });
  }

  private createInstance(practice: PracticeProfile, scopeId: string, props: ContactCenterStackProps): CreatedInstance {
    const cc = practice.contactCenter!;
    const instance = new connect.CfnInstance(this, `${scopeId}Instance`, {
      identityManagementType: 'CONNECT_MANAGED',
      instanceAlias: cc.instanceAlias!,
      attributes: { inboundCalls: true, outboundCalls: true, contactflowLogs: true },
    });
    // The instance holds agents, their users and contact records: kept like the data stack's data outside dev.
    instance.applyRemovalPolicy(this.removalPolicy);
    // Flow logs carry the contact attributes the flows set (who the caller is, what they chose).
    // Connect would create their group at the first one, unencrypted and kept forever; existing
    // first, it is the one Connect writes to. The data key's policy lets CloudWatch Logs use the
    // key for this name (naming.ts stageLogGroupPatterns).
    const flowLogs = new logs.LogGroup(this, `${scopeId}FlowLogs`, {
      logGroupName: connectFlowLogGroupName(cc.instanceAlias!),
      encryptionKey: props.key,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: this.removalPolicy,
    });
    instance.node.addDependency(flowLogs);
    // Recordings and transcripts are PHI: the reports bucket (TLS only, versioned, access-logged) with the stage key.
    for (const resourceType of CONNECT_STORAGE_TYPES) {
      new connect.CfnInstanceStorageConfig(this, `${scopeId}${pascal(resourceType.toLowerCase())}Storage`, {
        instanceArn: instance.attrArn,
        resourceType,
        storageType: 'S3',
        s3Config: {
          bucketName: props.reportsBucket.bucketName,
          bucketPrefix: `${CONNECT_STORAGE_PREFIX}${practice.id}/${resourceType.toLowerCase().replace(/_/g, '-')}`,
          encryptionConfig: { encryptionType: 'KMS', keyId: props.key.keyArn },
        },
      });
    }
    const hours = new connect.CfnHoursOfOperation(this, `${scopeId}AgentHours`, {
      instanceArn: instance.attrArn,
      name: `${practice.displayName} agents`,
      description: `When ${practice.displayName}'s agents take calls (stage config contactCenter.hours)`,
      timeZone: practice.timeZone,
      config: hoursOfOperationConfig(cc.hours),
      // The days the cadence calls no one (national holidays): the IVR's hours check says closed too.
      hoursOfOperationOverrides: closedDayOverrides(closedDays(props.config.sendWindow.holidays)),
    });
    const number = new connect.CfnPhoneNumber(this, `${scopeId}VoiceNumber`, {
      targetArn: instance.attrArn,
      countryCode: cc.phoneNumber?.countryCode ?? 'US',
      type: cc.phoneNumber?.type ?? 'DID',
      ...(cc.phoneNumber?.prefix ? { prefix: cc.phoneNumber.prefix } : {}),
      description: `${practice.displayName}: answered by the inbound IVR, shown on outreach calls`,
    });
    const queue = new connect.CfnQueue(this, `${scopeId}OutreachQueue`, {
      instanceArn: instance.attrArn,
      name: `${practice.displayName} outreach`,
      description: 'Outreach calls from the cadence and callers who asked to book',
      hoursOfOperationArn: hours.attrHoursOfOperationArn,
      outboundCallerConfig: { outboundCallerIdNumberArn: number.attrPhoneNumberArn, outboundCallerIdName: practice.displayName },
    });
    new connect.CfnRoutingProfile(this, `${scopeId}RoutingProfile`, {
      instanceArn: instance.attrArn,
      name: `${practice.displayName} outreach agents`,
      description: 'Voice calls of the outreach queue, one at a time',
      defaultOutboundQueueArn: queue.attrQueueArn,
      mediaConcurrencies: [{ channel: 'VOICE', concurrency: 1 }],
      queueConfigs: [{ delay: 0, priority: 1, queueReference: { channel: 'VOICE', queueArn: queue.attrQueueArn } }],
    });
    return { instanceArn: instance.attrArn, instanceId: instance.attrId, queueArn: queue.attrQueueArn, phoneNumberArn: number.attrPhoneNumberArn };
  }

  /**
   * CloudFormation has no resource for "this number runs that flow", so an SDK call
   * (AssociatePhoneNumberContactFlow) does it, allowed on that number and that flow only.
   */
  private answerWithInboundFlow(scopeId: string, instance: CreatedInstance, inbound: { arn: string; id: string }): void {
    const numberId = phoneNumberId(instance.phoneNumberArn);
    const call = (action: string, parameters: Record<string, string>): cr.AwsSdkCall => ({
      service: 'Connect',
      action,
      parameters,
      physicalResourceId: cr.PhysicalResourceId.of(`${scopeId}-inbound-number`),
    });
    const association = new cr.AwsCustomResource(this, `${scopeId}InboundNumber`, {
      onCreate: call('AssociatePhoneNumberContactFlow', { PhoneNumberId: numberId, InstanceId: instance.instanceId, ContactFlowId: inbound.id }),
      onUpdate: call('AssociatePhoneNumberContactFlow', { PhoneNumberId: numberId, InstanceId: instance.instanceId, ContactFlowId: inbound.id }),
      onDelete: { ...call('DisassociatePhoneNumberContactFlow', { PhoneNumberId: numberId, InstanceId: instance.instanceId }), ignoreErrorCodesMatching: 'ResourceNotFoundException' },
      ...this.sdkCallRuntime(),
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['connect:AssociatePhoneNumberContactFlow', 'connect:DisassociatePhoneNumberContactFlow'],
          resources: [instance.phoneNumberArn, inbound.arn],
        }),
      ]),
      installLatestAwsSdk: false,
    });
    acknowledge(
      association,
      'HIPAA.Security-IAMNoInlinePolicy',
      'The per-resource policy CDK attaches for this SDK call: connect:(Dis)AssociatePhoneNumberContactFlow on the claimed number and the inbound flow only.',
    );
    acknowledgeSdkCallFunction(this);
  }

  /**
   * The function behind every AwsCustomResource of the stack (CDK makes one): an own role
   * instead of CDK's (which carries the AWS managed AWSLambdaBasicExecutionRole), writing
   * only to its own log group, encrypted with the stage key like every function's.
   */
  private sdkCallRuntime(): Pick<cr.AwsCustomResourceProps, 'role' | 'logGroup' | 'functionName'> {
    if (!this.sdkCall) {
      const functionName = resourceName(this.stage, 'connect-sdk-calls');
      const role = new iam.Role(this, 'ConnectSdkCallsRole', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Runs ${functionName} (deployment-time Connect API calls)`,
      });
      const logGroup = new logs.LogGroup(this, 'ConnectSdkCallsLogs', {
        logGroupName: lambdaLogGroupName(functionName),
        encryptionKey: this.key,
        retention: logs.RetentionDays.ONE_YEAR,
        removalPolicy: this.removalPolicy,
      });
      logGroup.grantWrite(role);
      acknowledge(
        role,
        'HIPAA.Security-IAMNoInlinePolicy',
        "CDK's per-role policy of the deployment-time Connect SDK call function: write to its own log group; the SDK calls' own statements name one number and one flow each.",
      );
      this.sdkCall = { role, logGroup, functionName };
    }
    return this.sdkCall;
  }

  private outputs(scopeId: string, cc: PracticeContactCenter): void {
    const out = (name: string, value: string, description: string) => new CfnOutput(this, `${scopeId}${name}`, { value, description: `${cc.practiceId}: ${description}` });
    out('InstanceId', cc.instanceId, 'Connect instance id');
    out('InstanceArn', cc.instanceArn, 'Connect instance ARN');
    out('QueueId', cc.queueId, 'outreach queue id');
    out('OutboundFlowId', cc.outboundFlowId, 'flow the agent calls start');
    out('OutboundWhisperFlowId', cc.outboundWhisperFlowId, 'agent whisper of outreach calls');
    out('VoicemailFlowId', cc.voicemailFlowId, 'voicemail flow (answering-machine detection)');
    out('InboundFlowId', cc.inboundFlowId, 'inbound IVR flow');
    if (cc.phoneNumberArn) out('PhoneNumberArn', cc.phoneNumberArn, 'voice number claimed in the instance');
  }
}

interface CreatedInstance {
  readonly instanceArn: string;
  readonly instanceId: string;
  readonly queueArn: string;
  readonly phoneNumberArn: string;
}

/**
 * Lets one Connect instance invoke a function from its flows: the instance's Lambda
 * association (what the flow designer lists) and the function's resource policy for
 * connect.amazonaws.com, limited to that instance (SourceArn) in this account.
 */
export function allowConnectToInvoke(scope: Stack, id: string, props: { readonly functionArn: string; readonly instanceArn: string }): Construct {
  const association = new connect.CfnIntegrationAssociation(scope, `${id}Association`, {
    instanceId: props.instanceArn,
    integrationType: 'LAMBDA_FUNCTION',
    integrationArn: props.functionArn,
  });
  const permission = new lambda.CfnPermission(scope, `${id}InvokePermission`, {
    action: 'lambda:InvokeFunction',
    functionName: props.functionArn,
    principal: 'connect.amazonaws.com',
    sourceArn: props.instanceArn,
    sourceAccount: scope.account,
  });
  association.node.addDependency(permission);
  return association;
}

/** The caller lookup reads only: Query (the phone index) and BatchGetItem (the profiles) on the tracker, and the key to decrypt them. */
function allowTrackerQueries(fn: OutreachFunction, table: dynamodb.ITable, key: kms.IKey): void {
  (fn.function as lambda.Function).addEnvironment('TRACKER_TABLE_NAME', table.tableName);
  fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query', 'dynamodb:BatchGetItem'], resources: [table.tableArn] }));
  fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn] }));
}

function acknowledgeFlowFunction(fn: OutreachFunction): void {
  acknowledge(
    fn,
    'HIPAA.Security-LambdaDLQ',
    'Invoked synchronously by Amazon Connect contact flows only; a failure takes the flow\'s error branch at once (the caller goes on without a lookup). A Lambda DLQ applies to asynchronous invocations and would never receive anything.',
  );
  acknowledge(
    fn,
    'HIPAA.Security-LambdaConcurrency',
    'Invoked once per inbound call, at the pace of callers; a reservation would take capacity from the account pool and a too-small one would throttle callers in the IVR, who would then go on without a lookup.',
  );
  acknowledge(
    fn,
    'HIPAA.Security-LambdaInsideVPC',
    'Reaches only DynamoDB (a public AWS endpoint) over TLS with IAM; there is no VPC resource to reach, and a VPC would add NAT/endpoint cost and cold-start time inside a caller\'s wait.',
  );
}

/** The singleton function behind AwsCustomResource: acknowledged on that function only, with why. */
function acknowledgeSdkCallFunction(stack: Stack): void {
  const fn = stack.node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
  if (!fn) throw new Error('the AwsCustomResource provider function was not found where CDK puts it');
  acknowledge(
    fn,
    'HIPAA.Security-LambdaDLQ',
    'Runs only as a CloudFormation custom resource during deployments; CloudFormation receives every failure and rolls back, so a DLQ would never receive anything.',
  );
  acknowledge(
    fn,
    'HIPAA.Security-LambdaConcurrency',
    'Runs a few times per deployment (number-to-flow association); a reservation would take capacity from the account pool for nothing.',
  );
  acknowledge(
    fn,
    'HIPAA.Security-LambdaInsideVPC',
    'Calls only the Amazon Connect API (a public AWS endpoint) over TLS with IAM, during deployments; it handles no PHI and reaches no VPC resource.',
  );
}

// ---- what the flows say about a practice ----

/** The practice's values for the flows' placeholders (names, address, hours, number as spoken). */
export function practiceFlowValues(practice: PracticeProfile): Record<string, string> {
  const a = practice.address;
  return {
    PracticeId: practice.id,
    PracticeName: practice.displayName,
    PracticeAddress: [a.line1, a.line2, a.city, `${a.state} ${a.zip}`].filter(Boolean).join(', '),
    PracticeHours: spokenHours(practice.contactCenter?.hours ?? {}),
    CallbackNumberSpoken: spokenPhoneNumber(practice.callbackNumber),
  };
}

const DAY_NAMES: Readonly<Record<(typeof WEEKDAYS)[number], string>> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };

/** "Monday to Friday, 9 AM to 5 PM; Saturday, 9 AM to 1 PM" — consecutive days with the same hours read as a range. */
export function spokenHours(hours: WeeklyHours): string {
  const runs: Array<{ first: string; last: string; open: string; close: string }> = [];
  for (const day of WEEKDAYS) {
    const today = hours[day];
    const run = runs.at(-1);
    if (today && run && run.last === WEEKDAYS[WEEKDAYS.indexOf(day) - 1] && run.open === today.open && run.close === today.close) run.last = day;
    else if (today) runs.push({ first: day, last: day, open: today.open, close: today.close });
  }
  if (runs.length === 0) return 'by appointment only';
  return runs
    .map((r) => `${DAY_NAMES[r.first as keyof typeof DAY_NAMES]}${r.last !== r.first ? ` to ${DAY_NAMES[r.last as keyof typeof DAY_NAMES]}` : ''}, ${spokenTime(r.open)} to ${spokenTime(r.close)}`)
    .join('; ');
}

/** "09:00" → "9 AM", "13:30" → "1:30 PM", "12:00" → "12 PM". */
export function spokenTime(hhmm: string): string {
  const [h, m] = [Number(hhmm.slice(0, 2)), hhmm.slice(3, 5)];
  const hour12 = h % 12 === 0 ? 12 : h % 12;
  return `${hour12}${m === '00' ? '' : `:${m}`} ${h < 12 ? 'AM' : 'PM'}`;
}

/** "+12065550143" → "2 0 6, 5 5 5, 0 1 4 3": digit by digit, grouped as people say it (North American numbers 3-3-4). */
export function spokenPhoneNumber(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  const national = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  const groups = national.length === 10 ? [national.slice(0, 3), national.slice(3, 6), national.slice(6)] : [national];
  return groups.map((g) => g.split('').join(' ')).join(', ');
}

/** Connect's hours of operation from the stage config's `contactCenter.hours` (a missing day is closed). */
export function hoursOfOperationConfig(hours: WeeklyHours): connect.CfnHoursOfOperation.HoursOfOperationConfigProperty[] {
  const slice = (hhmm: string) => ({ hours: Number(hhmm.slice(0, 2)), minutes: Number(hhmm.slice(3, 5)) });
  return WEEKDAYS.flatMap((day) => {
    const today = hours[day];
    return today ? [{ day: DAY_NAMES[day].toUpperCase(), startTime: slice(today.open), endTime: slice(today.close) }] : [];
  });
}

/** Connect allows this many overrides per hours of operation (not adjustable). */
export const MAX_HOURS_OVERRIDES = 50;

/**
 * Closed all day on each of `days`: an override with no open time slices for that one date
 * (Connect's override config takes zero or more slices; none means no open hours).
 */
export function closedDayOverrides(days: readonly { date: string; name: string }[]): connect.CfnHoursOfOperation.HoursOfOperationOverrideProperty[] {
  if (days.length > MAX_HOURS_OVERRIDES) {
    throw new Error(`sendWindow.holidays has ${days.length} national holidays; Connect takes ${MAX_HOURS_OVERRIDES} overrides per hours of operation: keep the list to the coming year or two`);
  }
  return days.map(({ date, name }) => ({
    overrideName: `${name} ${date}`.slice(0, 127),
    overrideDescription: 'Closed: a national holiday of sendWindow.holidays (no outreach calls either)',
    effectiveFrom: date,
    effectiveTill: date,
    overrideConfig: [],
  }));
}

/** Only the values a flow file uses (loadFlow refuses values no placeholder takes). */
function pickUsed(role: ContactFlowRole, values: Record<string, string>): Record<string, string> {
  const used = new Set(placeholdersIn(readFlowFile(CONTACT_FLOW_FILES[role].file)));
  return Object.fromEntries(Object.entries(values).filter(([name]) => used.has(name)));
}

/** The id at the end of an instance's resource ARN (`instance/<i>/contact-flow/<id>`, `instance/<i>/queue/<id>`), token or not. */
function idInInstance(arn: string): string {
  return Fn.select(3, Fn.split('/', arn));
}

/** A claimed number's id (`…:phone-number/<id>`). */
function phoneNumberId(arn: string): string {
  return Fn.select(1, Fn.split('/', arn));
}

function pascal(text: string): string {
  return text.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase());
}

function kebab(text: string): string {
  return text.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
