/**
 * Broadcasts and campaigns ("runs") in the outreach stack (lib/constructs/runs.ts): the run
 * workflow and its three task functions, run-start and what may start a run, the staff API's
 * segment, broadcast and run routes, and the schedules that start runs by themselves.
 */
import * as fs from 'node:fs';
import type { Template } from 'aws-cdk-lib/assertions';
import { CAMPAIGN_START_HOUR_LOCAL, RUN_WORKFLOW_DEFINITION, scheduleName } from '../../lib/constructs/runs';
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
  type Statement,
  type SynthesisedOutreach,
} from './support/outreach-app';

const SUNRISE_INSTANCE = '8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const SUNRISE_VOICEMAIL_FLOW = '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a';
const BROADCAST_AT = '2030-03-04T09:30:00-06:00';
const WEEKDAY_HOURS = { mon: { open: '09:00', close: '17:00' }, tue: { open: '09:00', close: '17:00' } };

/**
 * The sample stage with this file's own runs (whatever the sample carries is replaced): one
 * segment, a broadcast at a set time, a broadcast started by hand, and two campaigns of
 * practices in different time zones. sunrise-family's existing Connect instance has a
 * voicemail flow, so its voicemails (cadence and run) go through Connect.
 */
function runsConfig(change?: (raw: Record<string, any>) => void) {
  return sampleConfig((raw) => {
    raw.segments = [{ name: 'patients', practice: 'sunrise-family', description: 'Everyone tagged patient', filter: { tags: { anyOf: ['patient'] } } }];
    raw.broadcasts = [
      { name: 'clinic-closure', practice: 'sunrise-family', segment: 'patients', templates: { sms: 'sms-care-gap' }, at: BROADCAST_AT, urgent: true, confirmed: true },
      { name: 'flu-shot-drive', practice: 'sunrise-family', segment: 'patients', templates: { sms: 'sms-care-gap', voicemail: 'voicemail-care-gap' } },
    ];
    raw.campaigns = [
      { name: 'annual-checkup', practice: 'sunrise-family', segment: 'patients', date: { field: 'lastVisitDate', offsetDays: 365 }, templates: { sms: 'sms-care-gap' } },
      { name: 'recall-reminder', practice: 'lakeside-pediatrics', date: { field: 'recallDate', offsetDays: -30 }, at: '11:00', templates: { sms: 'sms-care-gap', voicemail: 'voicemail-care-gap' } },
    ];
    const sunrise = raw.practices.find((p: { id: string }) => p.id === 'sunrise-family');
    sunrise.contactCenter = {
      instanceId: SUNRISE_INSTANCE,
      outboundFlowId: '1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9',
      queueId: '0a9b8c7d-6e5f-4d3c-9b2a-1f0e9d8c7b6a',
      voicemailFlowId: SUNRISE_VOICEMAIL_FLOW,
      hours: WEEKDAY_HOURS,
    };
    change?.(raw);
  });
}

// Two synths (cdk-nag runs in each; any finding throws):
// - the runs fixture above;
// - the same with both practices' Connect instances created by the ContactCenter stack.
let runs: SynthesisedOutreach;
let t: Template;
let created: SynthesisedOutreach;
beforeAll(() => {
  runs = synthOutreach(runsConfig());
  t = runs.outreach;
  created = synthOutreach(
    runsConfig((raw) => {
      raw.practices[0].contactCenter = { instanceAlias: 'sunrise-outreach', hours: WEEKDAY_HOURS };
      raw.practices[1].contactCenter = { instanceAlias: 'lakeside-outreach', hours: WEEKDAY_HOURS };
    }),
  );
});

const NAMES = {
  planShard: 'outreach-dev-run-plan',
  sendDue: 'outreach-dev-run-send',
  recordFailure: 'outreach-dev-run-fail',
  start: 'outreach-dev-run-start',
  staffApi: 'outreach-dev-staff-api',
  sendSms: 'outreach-dev-cadence-send-sms',
  dropVoicemail: 'outreach-dev-cadence-drop-voicemail',
} as const;
type Name = keyof typeof NAMES;
const TASKS = { PlanShard: 'planShard', SendDue: 'sendDue', RecordFailure: 'recordFailure' } as const;

const fnId = (key: Name, template: Template = t) => functionLogicalId(template, NAMES[key]);
const fnProps = (key: Name, template: Template = t) => template.toJSON().Resources[fnId(key, template)].Properties;
const env = (key: Name, template: Template = t) => fnProps(key, template).Environment.Variables as Record<string, unknown>;
const statementsOf = (key: Name, template: Template = t) => statementsOfFunction(template, NAMES[key]);
const grantsOf = (statements: Statement[], action: string) => statements.filter((s) => s.Effect === 'Allow' && asArray(s.Action).includes(action));
const resourcesOf = (statements: Statement[]) => statements.flatMap((s) => asArray(s.Resource));
/** Actions beyond what every function has: its logs, X-Ray, the tracker and the stage key. */
const ownActions = (key: Name, template: Template = t) => [...new Set(allowedActions(statementsOf(key, template)))].filter((a) => !/^(logs|xray|dynamodb|kms):/.test(a)).sort();
/** The same members in any order. */
const sameMembers = (expected: unknown[]) => {
  const matcher = expect.arrayContaining(expected);
  return { asymmetricMatch: (actual: unknown[]) => Array.isArray(actual) && actual.length === expected.length && matcher.asymmetricMatch(actual), toString: () => 'sameMembers' };
};
const importValueOf = (stack: 'Data' | 'Messaging', prefix: string) => ({ 'Fn::ImportValue': expect.stringMatching(new RegExp(`^Outreach-dev-${stack}:ExportsOutput(Ref|FnGetAtt)${prefix}`)) });

const machineId = (name: string, template: Template = t) => {
  const ids = Object.keys(template.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: name } }));
  if (ids.length !== 1) throw new Error(`expected one state machine ${name}, found ${ids.length}`);
  return ids[0]!;
};
const runMachineId = () => machineId('outreach-dev-runs');
const runMachine = () => t.toJSON().Resources[runMachineId()].Properties;

type Schedule = { Properties: Record<string, any>; DependsOn?: string[] };
/** The schedules of the runs group, by name. */
const runSchedules = (template: Template = t): Record<string, Schedule> =>
  Object.fromEntries(
    Object.values(template.findResources('AWS::Scheduler::Schedule'))
      .filter((s) => s.Properties.GroupName === 'outreach-dev-runs')
      .map((s) => [s.Properties.Name as string, s as Schedule]),
  );
const runGroupId = () => Object.entries(t.findResources('AWS::Scheduler::ScheduleGroup')).find(([, g]) => g.Properties.Name === 'outreach-dev-runs')![0];
const runQueueId = () => {
  const ids = Object.keys(t.findResources('AWS::SQS::Queue')).filter((id) => id.startsWith('RunsDeadLetterQueue'));
  if (ids.length !== 1) throw new Error(`expected one runs dead-letter queue, found ${ids.length}`);
  return ids[0]!;
};

describe('GIVEN a stage with a segment, a broadcast at a set time, one without, and two campaigns WHEN the app is synthesised', () => {
  describe('THEN the run workflow', () => {
    test('is a STANDARD state machine named outreach-dev-runs with X-Ray, logging ALL transitions without execution data to a log group encrypted with the stage key', () => {
      expect(runMachine()).toEqual(expect.objectContaining({ StateMachineName: 'outreach-dev-runs', StateMachineType: 'STANDARD', TracingConfiguration: { Enabled: true } }));
      expect(runMachine().LoggingConfiguration).toEqual(expect.objectContaining({ Level: 'ALL', IncludeExecutionData: false }));
      const logGroupId = runMachine().LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
      expect(t.toJSON().Resources[logGroupId].Properties).toEqual(
        expect.objectContaining({ LogGroupName: '/aws/vendedlogs/states/outreach-dev-runs', KmsKeyId: importValueOf('Data', 'Key'), RetentionInDays: 365 }),
      );
    });

    test('is run.asl.json with PlanShard → run-plan, SendDue → run-send and RecordFailure → run-fail, each named by the Task of that name', () => {
      expect(runMachine().DefinitionSubstitutions).toEqual({
        PlanShardFunctionArn: { 'Fn::GetAtt': [fnId('planShard'), 'Arn'] },
        SendDueFunctionArn: { 'Fn::GetAtt': [fnId('sendDue'), 'Arn'] },
        RecordFailureFunctionArn: { 'Fn::GetAtt': [fnId('recordFailure'), 'Arn'] },
      });
      // The definition deployed is the file (an S3 asset of it), whose Tasks name these placeholders.
      expect(runMachine().DefinitionS3Location).toBeDefined();
      const asl = JSON.parse(fs.readFileSync(RUN_WORKFLOW_DEFINITION, 'utf8')) as { States: Record<string, { Type: string; Parameters?: { FunctionName?: string } }> };
      const taskFunctions = Object.fromEntries(Object.entries(asl.States).filter(([, s]) => s.Type === 'Task').map(([name, s]) => [name, s.Parameters?.FunctionName]));
      expect(taskFunctions).toEqual({ PlanShard: '${PlanShardFunctionArn}', SendDue: '${SendDueFunctionArn}', RecordFailure: '${RecordFailureFunctionArn}' });
    });

    test('may invoke exactly the three run functions, and otherwise only trace and deliver logs', () => {
      const statements = statementsOfRole(t, runMachine().RoleArn['Fn::GetAtt'][0]);
      const invoked = resourcesOf(grantsOf(statements, 'lambda:InvokeFunction')).map((r: any) => (r['Fn::GetAtt'] ?? r['Fn::Join'][1][0]['Fn::GetAtt'])[0]);
      expect([...new Set(invoked)].sort()).toEqual([fnId('planShard'), fnId('sendDue'), fnId('recordFailure')].sort());
      // The stage key only for its own execution history and its log delivery.
      expect(allowedActions(statements.filter((s) => !isWorkflowKeyStatement(s))).filter((a) => !/^(lambda:InvokeFunction|xray:.*|logs:.*)$/.test(a))).toEqual([]);
      expect(JSON.stringify(statements.filter(isWorkflowKeyStatement).map(workflowKeyContext).filter(Boolean))).toMatch(/":stateMachine:outreach-dev-runs"\]\]\}\]$/);
    });

    test.each(Object.entries(TASKS))('lets %s\'s function run as long as the Task\'s TimeoutSeconds in run.asl.json', (state, key) => {
      const asl = JSON.parse(fs.readFileSync(RUN_WORKFLOW_DEFINITION, 'utf8')) as { States: Record<string, { TimeoutSeconds?: number }> };
      expect(fnProps(key).Timeout).toBe(asl.States[state]!.TimeoutSeconds);
    });
  });

  test('THEN run-send may run 15 minutes (900 s)', () => {
    expect(fnProps('sendDue').Timeout).toBe(900);
  });

  test('THEN every run function runs on arm64 Node.js 24 with tracing, the bundled stage config and the tracker table, which it may read and write', () => {
    for (const key of ['planShard', 'sendDue', 'recordFailure', 'start'] as const) {
      expect({ key, props: fnProps(key) }).toEqual({ key, props: expect.objectContaining({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } }) });
      expect({ key, env: env(key) }).toEqual({ key, env: expect.objectContaining({ OUTREACH_CONFIG_FILE: '/var/task/stage-config.json', TRACKER_TABLE_NAME: importValueOf('Data', 'TrackerTable') }) });
      const dynamo = statementsOf(key).filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')));
      expect({ key, resources: resourcesOf(dynamo) }).toEqual({ key, resources: [importValueOf('Data', 'TrackerTable')] });
      expect(asArray(dynamo[0]!.Action)).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem']));
    }
  });

  test('THEN run-send has exactly the sending rights and settings of send-sms and drop-voicemail together, and nothing more', () => {
    expect(ownActions('sendDue')).toEqual(['connect:StartOutboundVoiceContact', 'sms-voice:SendTextMessage', 'sms-voice:SendVoiceMessage']);
    expect(resourcesOf(grantsOf(statementsOf('sendDue'), 'sms-voice:SendTextMessage'))).toEqual(sameMembers(resourcesOf(grantsOf(statementsOf('sendSms'), 'sms-voice:SendTextMessage'))));
    expect(resourcesOf(grantsOf(statementsOf('sendDue'), 'sms-voice:SendVoiceMessage'))).toEqual(sameMembers(resourcesOf(grantsOf(statementsOf('dropVoicemail'), 'sms-voice:SendVoiceMessage'))));
    // Voicemails through Connect: the instance with a voicemail flow, as for drop-voicemail.
    const calls = resourcesOf(grantsOf(statementsOf('sendDue'), 'connect:StartOutboundVoiceContact'));
    expect(calls).toEqual(resourcesOf(grantsOf(statementsOf('dropVoicemail'), 'connect:StartOutboundVoiceContact')));
    expect(JSON.stringify(calls)).toContain(`:instance/${SUNRISE_INSTANCE}/contact/*`);
    for (const name of ['CONFIGURATION_SET_NAME', 'ORIGINATION_IDENTITIES']) {
      expect(env('sendDue')[name]).toBeDefined();
      expect(env('sendDue')[name]).toEqual(env('sendSms')[name]);
      expect(env('sendDue')[name]).toEqual(env('dropVoicemail')[name]);
    }
  });

  test('THEN run-plan and run-fail may use the tracker and nothing else, and are told nothing but the tracker', () => {
    for (const key of ['planShard', 'recordFailure'] as const) {
      expect({ key, actions: ownActions(key) }).toEqual({ key, actions: [] });
      expect({ key, env: Object.keys(env(key)).filter((k) => !/^(POWERTOOLS_|NODE_OPTIONS|OUTREACH_CONFIG_FILE)/.test(k)) }).toEqual({ key, env: ['TRACKER_TABLE_NAME'] });
    }
  });

  test('THEN run-start is told the run workflow\'s ARN and may start executions of that state machine only (no "*"), and nothing else', () => {
    expect(env('start').RUN_STATE_MACHINE_ARN).toEqual({ Ref: runMachineId() });
    expect(ownActions('start')).toEqual(['sqs:SendMessage', 'states:StartExecution']);
    const starts = grantsOf(statementsOf('start'), 'states:StartExecution');
    expect(resourcesOf(starts)).toEqual([{ Ref: runMachineId() }]);
    expect(env('start').CADENCE_STATE_MACHINE_ARN).toBeUndefined();
  });

  test('THEN the staff-api function is told the run workflow\'s ARN and may start executions of that state machine only', () => {
    expect(env('staffApi').RUN_STATE_MACHINE_ARN).toEqual({ Ref: runMachineId() });
    expect(resourcesOf(grantsOf(statementsOf('staffApi'), 'states:StartExecution'))).toEqual([{ Ref: runMachineId() }]);
  });

  test('THEN no policy of the stack lets anyone start executions on "*", and only run-start and staff-api may start runs', () => {
    const starts = allStatements(t).filter((s) => s.Effect === 'Allow' && asArray(s.Action).some((a) => a === 'states:StartExecution' || a === 'states:*' || a === '*'));
    expect(resourcesOf(starts)).not.toContain('*');
    const runStarters = Object.entries(t.findResources('AWS::IAM::Policy'))
      .filter(([, p]) => (p.Properties.PolicyDocument.Statement as Statement[]).some((s) => asArray(s.Action).includes('states:StartExecution') && JSON.stringify(s.Resource) === JSON.stringify({ Ref: runMachineId() })))
      .flatMap(([, p]) => p.Properties.Roles.map((r: { Ref: string }) => r.Ref))
      .sort();
    const roleOf = (key: Name) => fnProps(key).Role['Fn::GetAtt'][0];
    expect(runStarters).toEqual([roleOf('start'), roleOf('staffApi')].sort());
  });

  test('THEN each campaign has one daily schedule at 05:00 in its practice\'s time zone that starts that campaign\'s run (and no other) through run-start', () => {
    const daily = Object.values(runSchedules()).filter((s) => s.Properties.ScheduleExpression.startsWith('cron('));
    expect(daily.map((s) => [s.Properties.Name, s.Properties.ScheduleExpression, s.Properties.ScheduleExpressionTimezone, JSON.parse(s.Properties.Target.Input)]).sort()).toEqual([
      ['outreach-dev-campaign-annual-checkup', 'cron(0 5 * * ? *)', 'America/Los_Angeles', { start: 'campaigns', only: 'annual-checkup' }],
      ['outreach-dev-campaign-recall-reminder', 'cron(0 5 * * ? *)', 'America/Chicago', { start: 'campaigns', only: 'recall-reminder' }],
    ]);
    expect(CAMPAIGN_START_HOUR_LOCAL).toBe(5);
    for (const s of daily) {
      expect(s.Properties.Target.Arn).toEqual({ 'Fn::GetAtt': [fnId('start'), 'Arn'] });
      expect(s.Properties.State).toBe('ENABLED');
      expect(s.Properties.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    }
  });

  test('THEN the broadcast with a set time has one one-time schedule at that instant in UTC that starts it through run-start with its time as the trigger; the one without has none', () => {
    const once = Object.values(runSchedules()).filter((s) => s.Properties.ScheduleExpression.startsWith('at('));
    expect(once).toHaveLength(1);
    const [schedule] = once;
    // 09:30 at UTC-6 is 15:30 UTC.
    expect(schedule!.Properties).toEqual(
      expect.objectContaining({ Name: 'outreach-dev-broadcast-clinic-closure', ScheduleExpression: 'at(2030-03-04T15:30:00)', ScheduleExpressionTimezone: 'Etc/UTC', State: 'ENABLED', FlexibleTimeWindow: { Mode: 'OFF' } }),
    );
    expect(JSON.parse(schedule!.Properties.Target.Input)).toEqual({ start: 'broadcast', practiceId: 'sunrise-family', name: 'clinic-closure', trigger: BROADCAST_AT });
    expect(schedule!.Properties.Target.Arn).toEqual({ 'Fn::GetAtt': [fnId('start'), 'Arn'] });
    // Nothing anywhere in the stack starts the broadcast without a time.
    const everySchedule = Object.values(t.findResources('AWS::Scheduler::Schedule'));
    expect(everySchedule.filter((s) => JSON.stringify(s).includes('flu-shot-drive'))).toEqual([]);
    expect(Object.keys(runSchedules()).sort()).toEqual(['outreach-dev-broadcast-clinic-closure', 'outreach-dev-campaign-annual-checkup', 'outreach-dev-campaign-recall-reminder']);
  });

  test('THEN the run schedules are encrypted with the stage key, retried for 6 hours, then dead-lettered to the runs queue, which also takes run-start\'s failed invocations', () => {
    const queueId = runQueueId();
    for (const [name, s] of Object.entries(runSchedules())) {
      expect({ name, key: s.Properties.KmsKeyArn }).toEqual({ name, key: importValueOf('Data', 'Key') });
      expect({ name, target: s.Properties.Target }).toEqual({
        name,
        target: expect.objectContaining({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } }, RetryPolicy: { MaximumEventAgeInSeconds: 21600, MaximumRetryAttempts: 185 } }),
      });
      // The schedule names its group by name, so it must be created after it.
      expect({ name, dependsOn: s.DependsOn }).toEqual({ name, dependsOn: expect.arrayContaining([runGroupId()]) });
    }
    expect(t.toJSON().Resources[queueId].Properties).toEqual(expect.objectContaining({ KmsMasterKeyId: importValueOf('Data', 'Key'), MessageRetentionPeriod: 1209600 }));
    expect(fnProps('start').DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
  });

  test('THEN Scheduler, for the runs group only, may invoke run-start and nothing else, dead-letter to the runs queue and use the stage key', () => {
    const roleIds = [...new Set(Object.values(runSchedules()).map((s) => s.Properties.Target.RoleArn['Fn::GetAtt'][0] as string))];
    expect(roleIds).toHaveLength(1);
    const [roleId] = roleIds;
    const start = fnId('start');
    expect(statementsOfRole(t, roleId!)).toEqual(
      sameMembers([
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [{ 'Fn::GetAtt': [start, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [start, 'Arn'] }, ':*']] }] },
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [runQueueId(), 'Arn'] } },
        { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: importValueOf('Data', 'Key') },
      ]),
    );
    expect(t.toJSON().Resources[roleId!].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': { 'Fn::GetAtt': [runGroupId(), 'Arn'] } } },
      },
    ]);
  });

  test('THEN the stack outputs the run workflow\'s ARN', () => {
    expect(t.toJSON().Outputs.RunStateMachineArn.Value).toEqual({ Ref: runMachineId() });
  });
});

describe('GIVEN practices whose Connect instances the ContactCenter stack creates WHEN the app is synthesised', () => {
  test('THEN run-send (like drop-voicemail) reads the created instances\' ids and may start calls on their contacts, the staff API reads the ids too', () => {
    const reads = (key: Name) => grantsOf(statementsOf(key, created.outreach), 'ssm:GetParameter');
    const parameter = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:us-east-1:', { Ref: 'AWS::AccountId' }, ':parameter/outreach/dev/contact-centers']] };
    for (const key of ['sendDue', 'dropVoicemail', 'staffApi'] as const) expect({ key, reads: reads(key) }).toEqual({ key, reads: [{ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: parameter }] });
    // Nothing to read where no instance is created.
    expect(grantsOf(statementsOf('sendDue'), 'ssm:GetParameter')).toEqual([]);
    const contactCenter = created.assembly.getStackArtifact(created.stacks.contactCenter!.artifactId).template as { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
    const [calls] = Object.entries(contactCenter.Resources).filter(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('CreatedInstanceCalls'));
    expect(calls![1].Properties.Roles).toContainEqual({ 'Fn::ImportValue': expect.stringMatching(/^Outreach-dev-Outreach:ExportsOutputRefRunSendDueRole/) });
    expect(calls![1].Properties.PolicyDocument.Statement).toEqual([expect.objectContaining({ Action: 'connect:StartOutboundVoiceContact' })]);
  });
});

describe('GIVEN a campaign or broadcast name too long for a Scheduler schedule name', () => {
  test('THEN the schedule name is cut to 64 characters with a hash of the whole, so two long names stay apart', () => {
    const long = (suffix: string) => scheduleName('production-east-1', `campaign-${'a'.repeat(60)}${suffix}`);
    expect(long('x')).toHaveLength(64);
    expect(long('x')).toMatch(/^outreach-production-east-1-campaign-a+-[0-9a-f]{8}$/);
    expect(long('x')).not.toEqual(long('y'));
    expect(long('x')).toEqual(long('x'));
    expect(scheduleName('dev', 'campaign-short')).toBe('outreach-dev-campaign-short');
  });
});
