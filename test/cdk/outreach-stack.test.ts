import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { originationIdentityResource } from '../../lib/constructs/outreach-function';
import { CADENCE_WORKFLOW_DEFINITION, contactCenterInstance } from '../../lib/outreach-stack';
import {
  allStatements,
  allowedActions,
  isWorkflowKeyStatement,
  workflowKeyContext,
  asArray,
  functionLogicalId,
  sampleConfig,
  statementsOfFunction,
  statementsOfRole,
  synthOutreach,
  testApp,
  type Statement,
  type SynthesisedOutreach,
} from './support/outreach-app';

// Four synths for the whole file (cdk-nag runs in each; any finding throws):
// - the sample dev stage: E.164 identities, sunrise-family has a Connect contact center;
// - no practice has a contact center;
// - identities configured as PhoneNumberId, PoolId and ARN;
// - the messaging stack requests the numbers.
let sample: SynthesisedOutreach;
let template: Template;
let noContactCenter: SynthesisedOutreach;
let identifiedById: SynthesisedOutreach;
let requested: SynthesisedOutreach;
beforeAll(() => {
  sample = synthOutreach();
  template = sample.outreach;
  noContactCenter = synthOutreach(
    sampleConfig((raw) => {
      for (const practice of raw.practices) delete practice.contactCenter;
    }),
  );
  identifiedById = synthOutreach(
    sampleConfig((raw) => {
      raw.practices[0].sms = { originationIdentity: 'phone-0123456789abcdef0123456789abcdef', messagesPerSecond: 1 };
      raw.practices[0].voice = { originationIdentity: 'phone-fedcba9876543210fedcba9876543210', messagesPerSecond: 1 };
      raw.practices[1].sms = { originationIdentity: 'pool-00112233445566778899aabbccddeeff', messagesPerSecond: 3 };
      raw.practices[1].voice = {
        originationIdentity: 'arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-99887766554433221100ffeeddccbbaa',
        messagesPerSecond: 1,
      };
    }),
  );
  requested = synthOutreach(
    sampleConfig((raw) => {
      raw.practices[0].sms = { provision: { numberType: 'TEN_DLC' }, messagesPerSecond: 1 };
      raw.practices[0].voice = { provision: { numberType: 'LONG_CODE' } };
    }),
  );
});

const FUNCTIONS = {
  plan: 'outreach-dev-cadence-plan',
  sendSms: 'outreach-dev-cadence-send-sms',
  dropVoicemail: 'outreach-dev-cadence-drop-voicemail',
  queueAgentCall: 'outreach-dev-cadence-queue-agent-call',
  addPostcard: 'outreach-dev-cadence-add-postcard',
  recordFailure: 'outreach-dev-cadence-fail',
  postcardManifest: 'outreach-dev-postcard-manifest',
  doNotCallImport: 'outreach-dev-dnc-import',
  recordDisposition: 'outreach-dev-record-disposition',
} as const;
type FunctionKey = keyof typeof FUNCTIONS;
const ALL = Object.keys(FUNCTIONS) as FunctionKey[];
const CADENCE: FunctionKey[] = ['plan', 'sendSms', 'dropVoicemail', 'queueAgentCall', 'addPostcard', 'recordFailure'];

const fnProps = (key: FunctionKey, t: Template = template) => t.toJSON().Resources[functionLogicalId(t, FUNCTIONS[key])].Properties;
const env = (key: FunctionKey, t: Template = template) => fnProps(key, t).Environment.Variables as Record<string, unknown>;
const statementsOf = (key: FunctionKey, t: Template = template) => statementsOfFunction(t, FUNCTIONS[key]);
const actionsOf = (key: FunctionKey, t: Template = template) => [...new Set(allowedActions(statementsOf(key, t)))].sort();
const grants = (statements: Statement[], action: string) => statements.filter((s) => s.Effect === 'Allow' && asArray(s.Action).includes(action));
const resourcesOf = (statements: Statement[]) => statements.flatMap((s) => asArray(s.Resource));
/** The same members in any order (members may be jest matchers). */
const sameMembers = (expected: unknown[]) => {
  const matcher = expect.arrayContaining(expected);
  return { asymmetricMatch: (actual: unknown[]) => Array.isArray(actual) && actual.length === expected.length && matcher.asymmetricMatch(actual), toString: () => 'sameMembers' };
};

/** A cross-stack reference to the `stack` resource whose logical id starts with `prefix` (jest matcher). */
const importValueOf = (stack: 'Data' | 'Messaging' | 'Outreach', prefix: string) => ({
  'Fn::ImportValue': expect.stringMatching(new RegExp(`^Outreach-dev-${stack}:ExportsOutput(Ref|FnGetAtt)${prefix}`)),
});
/** arn:<partition>:<service>:us-east-1:<account>:<rest...> as CloudFormation renders Stack.formatArn. */
const arn = (service: string, ...rest: unknown[]) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:us-east-1:`, { Ref: 'AWS::AccountId' }, ...rest]],
});
/** The group of the daily tasks' schedules (the appointment desk has its own). */
const dailyGroupId = (t: Template = template) => Object.entries(t.findResources('AWS::Scheduler::ScheduleGroup')).find(([, r]) => r.Properties.Name === 'outreach-dev-schedules')![0];
/** The cadence workflow (the run workflow lives in the same stack: see runs.test.ts). */
const cadenceMachineId = (t: Template = template) => {
  const ids = Object.keys(t.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: 'outreach-dev-cadence' } }));
  if (ids.length !== 1) throw new Error(`expected one cadence state machine, found ${ids.length}`);
  return ids[0]!;
};
const cadenceMachine = (t: Template = template) => t.toJSON().Resources[cadenceMachineId(t)].Properties;

describe('GIVEN the sample stage WHEN the outreach stack is synthesised', () => {
  describe('THEN every outreach function', () => {
    test.each(ALL)('%s runs on arm64 with Node.js 24, active tracing, the bundled stage config and the tracker table name', (key) => {
      expect(fnProps(key)).toEqual(
        expect.objectContaining({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', TracingConfig: { Mode: 'Active' } }),
      );
      expect(env(key)).toEqual(
        expect.objectContaining({
          OUTREACH_CONFIG_FILE: '/var/task/stage-config.json',
          POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
          POWERTOOLS_LOGGER_LOG_EVENT: 'false',
          TRACKER_TABLE_NAME: importValueOf('Data', 'TrackerTable'),
        }),
      );
    });

    test.each(ALL)('%s logs to its own KMS-encrypted log group that expires after a year', (key) => {
      const logGroupId = fnProps(key).LoggingConfig.LogGroup.Ref as string;
      expect(template.toJSON().Resources[logGroupId].Properties).toEqual(
        expect.objectContaining({ LogGroupName: `/aws/lambda/${FUNCTIONS[key]}`, KmsKeyId: importValueOf('Data', 'Key'), RetentionInDays: 365 }),
      );
    });

    test.each(ALL)('%s reads and writes the tracker table (items, and its key) and no other table', (key) => {
      const dynamo = statementsOf(key).filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo).toHaveLength(1);
      expect(asArray(dynamo[0].Action)).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query']));
      expect(dynamo[0].Resource).toEqual(importValueOf('Data', 'TrackerTable'));
      // Beside the workflow key (bound to one state machine's encryption context, tested below).
      expect(grants(statementsOf(key).filter((s) => !isWorkflowKeyStatement(s)), 'kms:Decrypt').flatMap((s) => asArray(s.Resource))).toEqual([importValueOf('Data', 'Key')]);
    });
  });

  test('THEN plan may run 60 s, the channel tasks 120 s (30 s of it waiting for a paced send time), postcard 60 s, failure 30 s, a disposition 60 s', () => {
    expect(Object.fromEntries(ALL.map((key) => [key, fnProps(key).Timeout]))).toEqual({
      plan: 60,
      sendSms: 120,
      dropVoicemail: 120,
      queueAgentCall: 120,
      addPostcard: 60,
      recordFailure: 30,
      postcardManifest: 300,
      doNotCallImport: 900,
      recordDisposition: 60,
    });
  });

  test('THEN each function may do exactly its own job beyond the tracker, its logs and tracing', () => {
    // record-failure has only what every function has: logs, X-Ray, tracker items and the key.
    const base = actionsOf('recordFailure');
    expect(base.filter((a) => !/^(logs|xray|dynamodb|kms):/.test(a))).toEqual([]);
    const extras = (key: FunctionKey) => actionsOf(key).filter((a) => !base.includes(a));
    for (const key of ALL) expect({ key, missing: base.filter((a) => !actionsOf(key).includes(a)) }).toEqual({ key, missing: [] });
    expect(Object.fromEntries(ALL.map((key) => [key, extras(key)]))).toEqual({
      plan: [],
      sendSms: ['sms-voice:SendTextMessage'],
      dropVoicemail: ['sms-voice:SendVoiceMessage'],
      queueAgentCall: ['connect:StartOutboundVoiceContact'],
      addPostcard: [],
      recordFailure: [],
      postcardManifest: [
        'kms:GenerateDataKey',
        's3:Abort*',
        's3:PutObject',
        's3:PutObjectLegalHold',
        's3:PutObjectRetention',
        's3:PutObjectTagging',
        's3:PutObjectVersionTagging',
        'sqs:SendMessage',
      ],
      doNotCallImport: ['kms:GenerateDataKey', 's3:GetBucket*', 's3:GetObject*', 's3:List*', 'sqs:SendMessage'],
      // The desk's work on a booking (the confirmation text, reminder schedules passing only their role, the hand-off event) and a caller's cancellation (its follow-up).
      recordDisposition: [
        'connect:GetContactAttributes',
        'events:PutEvents',
        'iam:PassRole',
        'kms:GenerateDataKey',
        'mobiletargeting:PhoneNumberValidate',
        'scheduler:CreateSchedule',
        'scheduler:DeleteSchedule',
        'scheduler:UpdateSchedule',
        'sms-voice:DeleteOptedOutNumber',
        'sms-voice:PutOptedOutNumber',
        'sms-voice:SendTextMessage',
        'sqs:SendMessage',
        'states:StartExecution',
      ],
    });
  });

  test('THEN record-disposition reads attributes only of the configured instance\'s contacts, fed by a rule for its COMPLETED contact events', () => {
    const [instance] = sampleConfig().practices.map(contactCenterInstance).filter(Boolean);
    expect(grants(statementsOf('recordDisposition'), 'connect:GetContactAttributes')).toEqual([
      { Effect: 'Allow', Action: 'connect:GetContactAttributes', Resource: arn('connect', `:instance/${instance}/contact/*`) },
    ]);
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((r) => JSON.stringify(r).includes('aws.connect'));
    expect(rules).toHaveLength(1);
    expect(rules[0].Properties.EventPattern).toEqual({
      source: ['aws.connect'],
      'detail-type': ['Amazon Connect Contact Event'],
      detail: { eventType: ['COMPLETED'], instanceArn: [arn('connect', `:instance/${instance}`)] },
    });
    expect(rules[0].Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [functionLogicalId(template, FUNCTIONS.recordDisposition), 'Arn'] },
        RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
        DeadLetterConfig: expect.objectContaining({ Arn: expect.anything() }),
      }),
    ]);
  });

  test('THEN without a contact center there is no disposition function and no Connect rule', () => {
    const names = Object.values(noContactCenter.outreach.findResources('AWS::Lambda::Function')).map((f) => f.Properties.FunctionName);
    expect(names).toContain(FUNCTIONS.plan);
    expect(names).not.toContain(FUNCTIONS.recordDisposition);
    expect(noContactCenter.stacks.contactCenter).toBeUndefined();
    expect(JSON.stringify(noContactCenter.outreach.findResources('AWS::Events::Rule'))).not.toContain('aws.connect');
  });

  test('THEN send-sms may SendTextMessage only from the SMS identities (E.164 → this account\'s numbers), with the configuration set and the opt-out list', () => {
    const sends = grants(statementsOf('sendSms'), 'sms-voice:SendTextMessage');
    expect(sends.map((s) => s.Action)).toEqual(['sms-voice:SendTextMessage']);
    expect(resourcesOf(sends)).toEqual(
      sameMembers([
        arn('sms-voice', ':phone-number/*'),
        arn('sms-voice', ':configuration-set/', importValueOf('Messaging', 'ConfigurationSet')),
        arn('sms-voice', ':opt-out-list/', importValueOf('Messaging', 'OptOutList')),
      ]),
    );
    expect(actionsOf('sendSms')).not.toContain('sms-voice:SendVoiceMessage');
    expect(actionsOf('sendSms')).not.toContain('connect:StartOutboundVoiceContact');
  });

  test('THEN drop-voicemail may SendVoiceMessage only from the voice identities, with the configuration set, and never text', () => {
    const sends = grants(statementsOf('dropVoicemail'), 'sms-voice:SendVoiceMessage');
    expect(sends.map((s) => s.Action)).toEqual(['sms-voice:SendVoiceMessage']);
    expect(resourcesOf(sends)).toEqual(
      sameMembers([arn('sms-voice', ':phone-number/*'), arn('sms-voice', ':configuration-set/', importValueOf('Messaging', 'ConfigurationSet'))]),
    );
    expect(actionsOf('dropVoicemail')).not.toContain('sms-voice:SendTextMessage');
    expect(actionsOf('dropVoicemail')).not.toContain('connect:StartOutboundVoiceContact');
  });

  test('THEN queue-agent-call may start outbound calls only on the contacts of the Connect instance a practice configures', () => {
    const instances = sampleConfig().practices.map(contactCenterInstance).filter(Boolean);
    expect(instances).toHaveLength(1);
    expect(grants(statementsOf('queueAgentCall'), 'connect:StartOutboundVoiceContact')).toEqual([
      { Effect: 'Allow', Action: 'connect:StartOutboundVoiceContact', Resource: arn('connect', `:instance/${instances[0]}/contact/*`) },
    ]);
    expect(actionsOf('queueAgentCall').filter((a) => a.startsWith('sms-voice:'))).toEqual([]);
  });

  test('THEN only the senders are told the configuration set and the origination identities the messaging stack resolved', () => {
    const identities = sample.stacks.messaging.originationIdentities;
    // record-disposition texts a booking's confirmation and the practice information.
    const senders: FunctionKey[] = ['sendSms', 'dropVoicemail', 'recordDisposition'];
    for (const key of senders) {
      expect(env(key).CONFIGURATION_SET_NAME).toEqual(importValueOf('Messaging', 'ConfigurationSet'));
      expect(JSON.parse(env(key).ORIGINATION_IDENTITIES as string)).toEqual(JSON.parse(JSON.stringify(identities)));
    }
    for (const key of ALL.filter((k) => !senders.includes(k))) {
      expect({ key, set: env(key).CONFIGURATION_SET_NAME, ids: env(key).ORIGINATION_IDENTITIES }).toEqual({ key, set: undefined, ids: undefined });
    }
  });

  test('THEN the cadence workflow is a STANDARD state machine with X-Ray, logging ALL transitions without execution data to a KMS-encrypted log group', () => {
    const machine = cadenceMachine();
    expect(machine).toEqual(
      expect.objectContaining({ StateMachineName: 'outreach-dev-cadence', StateMachineType: 'STANDARD', TracingConfiguration: { Enabled: true } }),
    );
    expect(machine.LoggingConfiguration).toEqual(expect.objectContaining({ Level: 'ALL', IncludeExecutionData: false }));
    const logGroupId = machine.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
    expect(template.toJSON().Resources[logGroupId].Properties).toEqual(
      expect.objectContaining({ LogGroupName: '/aws/vendedlogs/states/outreach-dev-cadence', KmsKeyId: importValueOf('Data', 'Key'), RetentionInDays: 365 }),
    );
  });

  test('THEN every workflow (import, cadence, runs) keeps its definition and execution history under the stage key', () => {
    const machines = [sample.import, sample.outreach].flatMap((t) => Object.values(t.findResources('AWS::StepFunctions::StateMachine')));
    expect(machines.map((m) => m.Properties.StateMachineName).sort()).toEqual(['outreach-dev-cadence', 'outreach-dev-import', 'outreach-dev-runs']);
    for (const machine of machines) {
      expect(machine.Properties.EncryptionConfiguration).toEqual({ Type: 'CUSTOMER_MANAGED_KMS_KEY', KmsKeyId: importValueOf('Data', 'Key'), KmsDataKeyReusePeriodSeconds: 900 });
    }
  });

  test('THEN whoever may start a workflow may use the stage key for that workflow\'s executions, and for no other', () => {
    let starters = 0;
    for (const t of [sample.import, sample.outreach]) {
      for (const policy of Object.values(t.findResources('AWS::IAM::Policy'))) {
        const statements = policy.Properties.PolicyDocument.Statement as Statement[];
        const started = statements.filter((s) => asArray(s.Action).includes('states:StartExecution')).flatMap((s) => asArray(s.Resource));
        const keyedFor = statements.filter(isWorkflowKeyStatement).map(workflowKeyContext).filter(Boolean);
        if (started.length === 0) continue;
        starters++;
        expect(keyedFor).toEqual(started);
      }
    }
    // import-enroll, the appointment desk's functions, record-disposition, receive-reply, run-start, the staff API, the import trigger...
    expect(starters).toBeGreaterThanOrEqual(8);
  });

  test('THEN each ${<Task>FunctionArn} placeholder of cadence.asl.json is substituted with that task\'s function, and there are no others', () => {
    const fnArn = (key: FunctionKey) => ({ 'Fn::GetAtt': [functionLogicalId(template, FUNCTIONS[key]), 'Arn'] });
    const machine = cadenceMachine();
    expect(machine.DefinitionSubstitutions).toEqual({
      PlanStepFunctionArn: fnArn('plan'),
      SendSmsFunctionArn: fnArn('sendSms'),
      DropVoicemailFunctionArn: fnArn('dropVoicemail'),
      QueueAgentCallFunctionArn: fnArn('queueAgentCall'),
      AddPostcardFunctionArn: fnArn('addPostcard'),
      RecordFailureFunctionArn: fnArn('recordFailure'),
    });
    const placeholders = [...fs.readFileSync(CADENCE_WORKFLOW_DEFINITION, 'utf8').matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]);
    expect([...new Set(placeholders)].sort()).toEqual(Object.keys(machine.DefinitionSubstitutions).sort());
  });

  test('THEN the workflow role may invoke exactly the six cadence functions, and otherwise only trace and deliver logs', () => {
    const machine = cadenceMachine();
    const statements = statementsOfRole(template, machine.RoleArn['Fn::GetAtt'][0]);
    const invokes = grants(statements, 'lambda:InvokeFunction');
    const invoked = invokes.flatMap((s) => asArray(s.Resource)).map((r: any) => (r['Fn::GetAtt'] ?? r['Fn::Join'][1][0]['Fn::GetAtt'])[0]);
    expect([...new Set(invoked)].sort()).toEqual(CADENCE.map((key) => functionLogicalId(template, FUNCTIONS[key])).sort());
    // The stage key only for its own execution history and its log delivery.
    expect(allowedActions(statements.filter((s) => !isWorkflowKeyStatement(s))).filter((a) => !/^(lambda:InvokeFunction|xray:.*|logs:.*)$/.test(a))).toEqual([]);
    expect(JSON.stringify(statements.filter(isWorkflowKeyStatement).map(workflowKeyContext).filter(Boolean))).toMatch(/^\[\{"Fn::Join":\[.*":stateMachine:outreach-dev-cadence"\]\]\}\]$/);
    expect(statements.filter((s) => asArray(s.Resource).includes('*')).flatMap((s) => asArray(s.Action)).filter((a) => !/^(xray|logs):/.test(a))).toEqual([]);
  });

  test('THEN the postcard manifest runs every day at 06:00 UTC, retrying, with undeliverable runs in the dead-letter queue', () => {
    const queueId = Object.keys(template.findResources('AWS::SQS::Queue')).find((id) => id.startsWith('DailyTasksDeadLetterQueue'))!;
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'outreach-dev-schedules' });
    template.hasResource('AWS::Scheduler::Schedule', { DependsOn: Match.arrayWith([dailyGroupId()]) });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'outreach-dev-postcard-manifest',
      GroupName: 'outreach-dev-schedules',
      ScheduleExpression: 'cron(0 6 * * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [functionLogicalId(template, FUNCTIONS.postcardManifest), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        RetryPolicy: { MaximumEventAgeInSeconds: 21600, MaximumRetryAttempts: 185 },
      }),
    });
    // Async invocations that fail after Lambda's own retries land in the same queue.
    expect(fnProps('postcardManifest').DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    expect(fnProps('postcardManifest').ReservedConcurrentExecutions).toBe(1);
  });

  test('THEN the schedule role may only invoke the manifest function, write its dead-letter queue and use the stage key, and only Scheduler for this group may assume it', () => {
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule')).find((r) => r.Properties.Name === 'outreach-dev-postcard-manifest')!.Properties;
    const roleId = schedule.Target.RoleArn['Fn::GetAtt'][0] as string;
    const fnId = functionLogicalId(template, FUNCTIONS.postcardManifest);
    const queueId = schedule.Target.DeadLetterConfig.Arn['Fn::GetAtt'][0];
    expect(statementsOfRole(template, roleId)).toEqual(
      sameMembers([
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [{ 'Fn::GetAtt': [fnId, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [fnId, 'Arn'] }, ':*']] }] },
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: importValueOf('Data', 'Key') },
      ]),
    );
    expect(template.toJSON().Resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': { 'Fn::GetAtt': [dailyGroupId(), 'Arn'] } },
        },
      },
    ]);
  });

  test('THEN the manifest function may put objects in the reports bucket only under postcards/, never read or delete', () => {
    const s3 = statementsOf('postcardManifest').filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:')));
    expect(s3).toEqual([expect.objectContaining({ Resource: { 'Fn::Join': ['', [importValueOf('Data', 'ReportsBucket'), '/postcards/*']] } })]);
    expect(env('postcardManifest').REPORTS_BUCKET_NAME).toEqual(importValueOf('Data', 'ReportsBucket'));
    expect(env('postcardManifest').IMPORT_BUCKET_NAME).toBeUndefined();
  });

  test('THEN an "Object Created" event from the import bucket under do-not-call/ (and no other prefix) invokes the do-not-call import, with a dead-letter queue', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((r) => JSON.stringify(r).includes('aws.s3') && JSON.stringify(r).includes('do-not-call'));
    expect(rules).toHaveLength(1);
    const fnId = functionLogicalId(template, FUNCTIONS.doNotCallImport);
    const queueId = Object.keys(template.findResources('AWS::SQS::Queue')).find((id) => id.startsWith('DoNotCallImportDeadLetterQueue'))!;
    expect(rules[0].Properties.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [importValueOf('Data', 'ImportBucket')] }, object: { key: [{ prefix: 'do-not-call/' }] } },
    });
    expect(rules[0].Properties.EventBusName).toBeUndefined(); // S3 events arrive on the default bus
    expect(rules[0].Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
      }),
    ]);
    const ruleId = Object.keys(template.findResources('AWS::Events::Rule')).find((id) => id.startsWith('DoNotCallUploadedRule'))!;
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
    });
    expect(fnProps('doNotCallImport').DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
  });

  test('THEN the do-not-call import may read the import bucket only under do-not-call/, and write nowhere in S3', () => {
    const s3 = statementsOf('doNotCallImport').filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:')));
    expect(s3).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:GetBucket*', 's3:GetObject*', 's3:List*'],
        Resource: [importValueOf('Data', 'ImportBucket'), { 'Fn::Join': ['', [importValueOf('Data', 'ImportBucket'), '/do-not-call/*']] }],
      },
    ]);
    expect(env('doNotCallImport').IMPORT_BUCKET_NAME).toEqual(importValueOf('Data', 'ImportBucket'));
    expect(env('doNotCallImport').REPORTS_BUCKET_NAME).toBeUndefined();
  });

  test('THEN every dead-letter queue is KMS-encrypted with the stage key, TLS-only, and keeps messages 14 days', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues).sort()).toEqual([
      expect.stringMatching(/^AppointmentDeadLetterQueue/),
      expect.stringMatching(/^DailyTasksDeadLetterQueue/),
      expect.stringMatching(/^DispositionDeadLetterQueue/),
      expect.stringMatching(/^DoNotCallImportDeadLetterQueue/),
      expect.stringMatching(/^RunsDeadLetterQueue/),
    ]);
    for (const [id, queue] of Object.entries(queues)) {
      expect(queue.Properties).toEqual(expect.objectContaining({ KmsMasterKeyId: importValueOf('Data', 'Key'), MessageRetentionPeriod: 1209600 }));
      const policy = Object.values(template.findResources('AWS::SQS::QueuePolicy', { Properties: { Queues: [{ Ref: id }] } }))[0];
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  test('THEN no policy allows every action of a service, Resource "*" is used only for X-Ray and log delivery, and no role has a managed policy', () => {
    const actions = allowedActions(allStatements(template));
    expect(actions.filter((a) => a === '*' || /^[a-z0-9-]+:\*$/.test(a))).toEqual([]);
    const onStar = allowedActions(allStatements(template).filter((s) => asArray(s.Resource).includes('*')));
    expect(onStar.filter((a) => !/^(xray|logs):/.test(a))).toEqual([]);
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('THEN the stack outputs the cadence workflow ARN and depends on the data and messaging stacks, and the import stack depends on it', () => {
    expect(template.toJSON().Outputs.CadenceStateMachineArn.Value).toEqual({ Ref: cadenceMachineId() });
    expect(sample.stacks.outreach.dependencies).toEqual(expect.arrayContaining([sample.stacks.data, sample.stacks.messaging]));
    expect(sample.stacks.import.dependencies).toContain(sample.stacks.outreach);
    expect(sample.stacks.outreach.dependencies).not.toContain(sample.stacks.import);
  });

  test('THEN the app synthesises with no cdk-nag finding (AwsSolutions and HIPAA Security)', () => {
    const report = JSON.parse(fs.readFileSync(path.join(sample.assembly.directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
  });
});

describe('GIVEN no practice has a contact center WHEN the outreach stack is synthesised', () => {
  test('THEN queue-agent-call has no Amazon Connect permission at all, and the app is still cdk-nag clean', () => {
    expect(actionsOf('queueAgentCall', noContactCenter.outreach).filter((a) => a.startsWith('connect:'))).toEqual([]);
    const report = JSON.parse(fs.readFileSync(path.join(noContactCenter.assembly.directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
  });
});

describe('GIVEN identities configured as a PhoneNumberId, a PoolId and an ARN WHEN the outreach stack is synthesised', () => {
  test('THEN send-sms may text from exactly that number and that pool, with no account-wide phone-number/*', () => {
    const sends = grants(statementsOf('sendSms', identifiedById.outreach), 'sms-voice:SendTextMessage');
    expect(resourcesOf(sends)).toEqual(
      sameMembers([
        arn('sms-voice', ':phone-number/phone-0123456789abcdef0123456789abcdef'),
        arn('sms-voice', ':pool/pool-00112233445566778899aabbccddeeff'),
        arn('sms-voice', ':configuration-set/', importValueOf('Messaging', 'ConfigurationSet')),
        arn('sms-voice', ':opt-out-list/', importValueOf('Messaging', 'OptOutList')),
      ]),
    );
  });

  test('THEN drop-voicemail may speak from exactly the voice number id and the configured ARN', () => {
    const sends = grants(statementsOf('dropVoicemail', identifiedById.outreach), 'sms-voice:SendVoiceMessage');
    expect(resourcesOf(sends)).toEqual(
      sameMembers([
        arn('sms-voice', ':phone-number/phone-fedcba9876543210fedcba9876543210'),
        'arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-99887766554433221100ffeeddccbbaa',
        arn('sms-voice', ':configuration-set/', importValueOf('Messaging', 'ConfigurationSet')),
      ]),
    );
  });
});

describe('GIVEN the messaging stack requests a practice\'s numbers WHEN the outreach stack is synthesised', () => {
  test('THEN the senders may use exactly the requested numbers (by their ARNs), and the E.164 ones of the other practice through phone-number/*', () => {
    const smsResources = grants(statementsOf('sendSms', requested.outreach), 'sms-voice:SendTextMessage').flatMap((s) => asArray(s.Resource));
    expect(smsResources).toContainEqual(importValueOf('Messaging', 'SunriseFamilySmsNumber'));
    expect(smsResources).toContainEqual(arn('sms-voice', ':phone-number/*'));
    const voiceResources = grants(statementsOf('dropVoicemail', requested.outreach), 'sms-voice:SendVoiceMessage').flatMap((s) => asArray(s.Resource));
    expect(voiceResources).toContainEqual(importValueOf('Messaging', 'SunriseFamilyVoiceNumber'));
    expect(voiceResources).not.toContainEqual(importValueOf('Messaging', 'SunriseFamilySmsNumber'));
    expect(smsResources).not.toContainEqual(importValueOf('Messaging', 'SunriseFamilyVoiceNumber'));
  });
});

describe('GIVEN an origination identity as the stage config may write it', () => {
  const stack = new Stack(testApp(), 'IdentityTest', { env: { region: 'us-east-1' } });
  const resolved = (identity: string) => {
    const { arn: value, wildcard } = originationIdentityResource(stack, identity);
    return { arn: stack.resolve(value), wildcard };
  };

  test.each([
    ['a PhoneNumberId', 'phone-0123456789abcdef0123456789abcdef', arn('sms-voice', ':phone-number/phone-0123456789abcdef0123456789abcdef'), undefined],
    ['a PoolId', 'pool-0123456789abcdef0123456789abcdef', arn('sms-voice', ':pool/pool-0123456789abcdef0123456789abcdef'), undefined],
    ['an E.164 number', '+12065550188', arn('sms-voice', ':phone-number/*'), 'e164'],
    ['a sender ID', 'SUNRISE', arn('sms-voice', ':sender-id/SUNRISE/*'), 'sender-id'],
  ])('WHEN it is %s THEN IAM is asked about the matching resource', (_what, identity, expected, wildcard) => {
    expect(resolved(identity)).toEqual({ arn: expected, wildcard });
  });

  test('WHEN it is an ARN THEN that ARN is used as it is', () => {
    const given = 'arn:aws:sms-voice:us-east-1:111122223333:pool/pool-0123456789abcdef0123456789abcdef';
    expect(resolved(given)).toEqual({ arn: given, wildcard: undefined });
  });
});

describe('GIVEN a practice whose contact center has a voicemail flow', () => {
  test('THEN drop-voicemail may also start outbound contacts on that instance (voicemail after the beep), and on no other', () => {
    const withFlow = synthOutreach(
      sampleConfig((raw) => {
        raw.practices[0].contactCenter.voicemailFlowId = '2b3c4d5e-6f70-4819-9a0b-1c2d3e4f5a6b';
      }),
    );
    const instance = sampleConfig().practices[0]!.contactCenter!.instanceId;
    expect(grants(statementsOf('dropVoicemail', withFlow.outreach), 'connect:StartOutboundVoiceContact')).toEqual([
      { Effect: 'Allow', Action: 'connect:StartOutboundVoiceContact', Resource: arn('connect', `:instance/${instance}/contact/*`) },
    ]);
    expect(actionsOf('dropVoicemail', withFlow.outreach)).toContain('sms-voice:SendVoiceMessage');
  });
});
