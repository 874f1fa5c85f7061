import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { Template as CfnTemplate } from 'aws-cdk-lib/assertions';
import { defaultHolidays } from '../../lambdas/domain/send-window-rules';
import { parseStageConfig } from '../../lambdas/domain/stage-config';
import { CONTACT_FLOW_FILES, loadFlow, placeholdersIn, readFlowFile, validateFlow, type ContactFlowRole } from '../../lib/connect-flows';
import { closedDayOverrides, ContactCenterStack, hoursOfOperationConfig, MAX_HOURS_OVERRIDES, practiceFlowValues, spokenHours, spokenPhoneNumber, spokenTime } from '../../lib/contact-center-stack';
import { buildOutreachApp } from '../../lib/outreach-app';
import { allowedActions, asArray, functionLogicalId, SAMPLE_CONFIG_FILE, sampleConfig, statementsOfFunction, synthOutreach, testApp, type SynthesisedOutreach } from './support/outreach-app';

const SUNRISE_INSTANCE = '8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const SUNRISE_QUEUE = '0a9b8c7d-6e5f-4d3c-9b2a-1f0e9d8c7b6a';
const SUNRISE_OUTBOUND_FLOW = '1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9';
const WEEKDAY_HOURS = { mon: { open: '08:30', close: '17:00' }, tue: { open: '08:30', close: '17:00' }, wed: { open: '08:30', close: '17:00' }, thu: { open: '10:00', close: '19:00' }, fri: { open: '08:30', close: '12:00' } };

// Two synths (cdk-nag runs in each; any finding throws):
// - the sample stage: sunrise-family uses an existing instance;
// - sunrise-family's instance created by the stack (toll-free number), and lakeside-pediatrics too (default number).
let existing: SynthesisedOutreach;
let created: SynthesisedOutreach;
beforeAll(() => {
  existing = synthOutreach();
  created = synthOutreach(
    sampleConfig((raw) => {
      raw.practices[0].contactCenter = { instanceAlias: 'sunrise-outreach', phoneNumber: { countryCode: 'US', type: 'TOLL_FREE' }, callsPerSecond: 1, hours: raw.practices[0].contactCenter.hours };
      raw.practices[1].contactCenter = { instanceAlias: 'lakeside-outreach', hours: WEEKDAY_HOURS };
    }),
  );
});

const templateOf = (s: SynthesisedOutreach): Template => CfnTemplate.fromJSON(s.assembly.getStackArtifact(s.stacks.contactCenter!.artifactId).template);
const resources = (t: Template, type: string) => Object.entries(t.findResources(type)) as Array<[string, { Properties: Record<string, any>; DependsOn?: string[] }]>;
const only = (t: Template, type: string, logicalIdPrefix: string) => {
  const found = resources(t, type).filter(([id]) => id.startsWith(logicalIdPrefix));
  if (found.length !== 1) throw new Error(`expected one ${type} ${logicalIdPrefix}*, found ${found.length}`);
  return found[0]![1].Properties;
};
const logicalId = (t: Template, type: string, prefix: string) => resources(t, type).find(([id]) => id.startsWith(prefix))![0];
const getAtt = (id: string, attribute: string) => ({ 'Fn::GetAtt': [id, attribute] });
const importOf = (prefix: string) => ({ 'Fn::ImportValue': expect.stringMatching(new RegExp(`^Outreach-dev-Data:ExportsOutput(Ref|FnGetAtt)${prefix}`)) });
const arn = (service: string, rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:us-east-1:`, { Ref: 'AWS::AccountId' }, rest]] });

/** A ContactFlow's Content with each intrinsic written as {{LogicalId.Attribute}} or {{Pseudo::Param}}, as text. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  const [sep, parts] = (content as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const p = part as Record<string, any>;
      if (p.Ref) return `{{${p.Ref}}}`;
      if (p['Fn::GetAtt']) return `{{${p['Fn::GetAtt'].join('.')}}}`;
      if (p['Fn::ImportValue']) return '{{import}}';
      if (p['Fn::Select']) return '{{select}}';
      throw new Error(`unexpected intrinsic in flow content: ${JSON.stringify(part)}`);
    })
    .join(sep);
}
const flowContent = (t: Template, prefix: string) => JSON.parse(contentText(only(t, 'AWS::Connect::ContactFlow', prefix).Content));
const RECORD_DISPOSITION = 'arn:{{AWS::Partition}}:lambda:us-east-1:{{AWS::AccountId}}:function:outreach-dev-record-disposition';
/** The flow file filled with `values`, as the stack deploys it (without the file's Metadata). */
function expectedFlow(role: ContactFlowRole, practiceId: string, values: Record<string, string>) {
  const practice = sampleConfig().practices.find((p) => p.id === practiceId)!;
  const all: Record<string, string> = { ...practiceFlowValues(practice), ...values };
  const used = placeholdersIn(readFlowFile(CONTACT_FLOW_FILES[role].file));
  const { Metadata: _m, ...flow } = loadFlow(CONTACT_FLOW_FILES[role].file, Object.fromEntries(used.map((n) => [n, all[n]!])));
  return flow;
}

describe('GIVEN practices whose instances the stack creates WHEN the app is synthesised', () => {
  let t: Template;
  beforeAll(() => {
    t = templateOf(created);
  });

  test('THEN the stack is Outreach-<stage>-ContactCenter, and the AwsSolutions and HIPAA packs report nothing', () => {
    expect(created.stacks.contactCenter!.stackName).toBe('Outreach-dev-ContactCenter');
    const report = JSON.parse(fs.readFileSync(path.join(created.assembly.directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
  });

  test('THEN each instance has Connect-managed users, inbound and outbound calls and contact flow logs', () => {
    expect(only(t, 'AWS::Connect::Instance', 'SunriseFamily')).toMatchObject({
      IdentityManagementType: 'CONNECT_MANAGED',
      InstanceAlias: 'sunrise-outreach',
      Attributes: { InboundCalls: true, OutboundCalls: true, ContactflowLogs: true },
    });
    expect(only(t, 'AWS::Connect::Instance', 'LakesidePediatrics').InstanceAlias).toBe('lakeside-outreach');
  });

  test('THEN each instance\'s flow-log group /aws/connect/<alias> exists before the instance, encrypted with the stage key, kept a year and removed like the instance', () => {
    const raw = t.toJSON().Resources as Record<string, { DependsOn?: string[]; DeletionPolicy?: string }>;
    for (const [practice, alias] of [
      ['SunriseFamily', 'sunrise-outreach'],
      ['LakesidePediatrics', 'lakeside-outreach'],
    ]) {
      const groupId = logicalId(t, 'AWS::Logs::LogGroup', `${practice}FlowLogs`);
      expect(only(t, 'AWS::Logs::LogGroup', `${practice}FlowLogs`)).toMatchObject({ LogGroupName: `/aws/connect/${alias}`, KmsKeyId: importOf('Key'), RetentionInDays: 365 });
      expect(raw[`${practice}Instance`]!.DependsOn).toContain(groupId);
      expect(raw[groupId]!.DeletionPolicy).toBe(raw[`${practice}Instance`]!.DeletionPolicy);
    }
  });

  test('THEN the stage key lets CloudWatch Logs encrypt those flow-log groups, by name', () => {
    const statements = Object.values(created.data.findResources('AWS::KMS::Key'))[0]!.Properties.KeyPolicy.Statement as Array<Record<string, any>>;
    const logsStatement = statements.find((s) => s.Sid === 'CloudWatchLogsEncryptsStageLogGroups')!;
    const names = (logsStatement.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'] as Array<{ 'Fn::Join': [string, unknown[]] }>).map((a) => a['Fn::Join'][1].at(-1));
    expect(names).toEqual(expect.arrayContaining([':log-group:/aws/connect/sunrise-outreach', ':log-group:/aws/connect/lakeside-outreach']));
  });

  test('THEN call recordings and chat transcripts go to the reports bucket under connect/<practice>/, encrypted with the stage key', () => {
    for (const [kind, prefix] of [
      ['CallRecordings', 'call-recordings'],
      ['ChatTranscripts', 'chat-transcripts'],
    ]) {
      expect(only(t, 'AWS::Connect::InstanceStorageConfig', `SunriseFamily${kind}`)).toEqual({
        InstanceArn: getAtt('SunriseFamilyInstance', 'Arn'),
        ResourceType: kind === 'CallRecordings' ? 'CALL_RECORDINGS' : 'CHAT_TRANSCRIPTS',
        StorageType: 'S3',
        S3Config: { BucketName: importOf('ReportsBucket'), BucketPrefix: `connect/sunrise-family/${prefix}`, EncryptionConfig: { EncryptionType: 'KMS', KeyId: importOf('Key') } },
      });
    }
  });

  test('THEN the hours of operation are closed all day on each national holiday (the days outreach calls no one), and not on a state\'s', () => {
    const sunrise = only(t, 'AWS::Connect::HoursOfOperation', 'SunriseFamily');
    const national = defaultHolidays().filter((h) => !h.states);
    expect(sunrise.HoursOfOperationOverrides).toHaveLength(national.length);
    const christmas = `${new Date().getUTCFullYear() + 1}-12-25`;
    expect(sunrise.HoursOfOperationOverrides).toContainEqual({
      OverrideName: `Christmas Day ${christmas}`,
      OverrideDescription: 'Closed: a national holiday of sendWindow.holidays (no outreach calls either)',
      EffectiveFrom: christmas,
      EffectiveTill: christmas,
      OverrideConfig: [],
    });
    const mardiGras = defaultHolidays().find((h) => h.name === 'Mardi Gras')!.date; // Louisiana only
    expect(sunrise.HoursOfOperationOverrides.map((o: { EffectiveFrom: string }) => o.EffectiveFrom)).not.toContain(mardiGras);
  });

  test('THEN a holiday list longer than Connect\'s 50 overrides fails synth with what to do', () => {
    const days = Array.from({ length: MAX_HOURS_OVERRIDES + 1 }, (_, i) => ({ date: `2030-01-${String((i % 28) + 1).padStart(2, '0')}`, name: `Day ${i}` }));
    expect(() => closedDayOverrides(days)).toThrow(/51 national holidays; Connect takes 50 overrides per hours of operation/);
    expect(closedDayOverrides(days.slice(0, MAX_HOURS_OVERRIDES))).toHaveLength(50);
  });

  test('THEN the hours of operation are the config\'s, day by day, in the practice\'s time zone; a missing day is closed', () => {
    const sunrise = only(t, 'AWS::Connect::HoursOfOperation', 'SunriseFamily');
    expect(sunrise.TimeZone).toBe('America/Los_Angeles');
    expect(sunrise.Config).toEqual([
      ...['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'].map((Day) => ({ Day, StartTime: { Hours: 9, Minutes: 0 }, EndTime: { Hours: 17, Minutes: 0 } })),
      { Day: 'SATURDAY', StartTime: { Hours: 9, Minutes: 0 }, EndTime: { Hours: 13, Minutes: 0 } },
    ]);
    const lakeside = only(t, 'AWS::Connect::HoursOfOperation', 'LakesidePediatrics');
    expect(lakeside.TimeZone).toBe('America/Chicago');
    expect(lakeside.Config).toEqual([
      ...['MONDAY', 'TUESDAY', 'WEDNESDAY'].map((Day) => ({ Day, StartTime: { Hours: 8, Minutes: 30 }, EndTime: { Hours: 17, Minutes: 0 } })),
      { Day: 'THURSDAY', StartTime: { Hours: 10, Minutes: 0 }, EndTime: { Hours: 19, Minutes: 0 } },
      { Day: 'FRIDAY', StartTime: { Hours: 8, Minutes: 30 }, EndTime: { Hours: 12, Minutes: 0 } },
    ]);
  });

  test('THEN the outreach queue keeps those hours and shows the claimed number; the routing profile works that queue, one voice call at a time', () => {
    expect(only(t, 'AWS::Connect::Queue', 'SunriseFamily')).toMatchObject({
      InstanceArn: getAtt('SunriseFamilyInstance', 'Arn'),
      HoursOfOperationArn: getAtt(logicalId(t, 'AWS::Connect::HoursOfOperation', 'SunriseFamily'), 'HoursOfOperationArn'),
      OutboundCallerConfig: { OutboundCallerIdNumberArn: getAtt('SunriseFamilyVoiceNumber', 'PhoneNumberArn'), OutboundCallerIdName: 'Sunrise Family Health' },
    });
    const queue = getAtt('SunriseFamilyOutreachQueue', 'QueueArn');
    expect(only(t, 'AWS::Connect::RoutingProfile', 'SunriseFamily')).toMatchObject({
      DefaultOutboundQueueArn: queue,
      MediaConcurrencies: [{ Channel: 'VOICE', Concurrency: 1 }],
      QueueConfigs: [{ Delay: 0, Priority: 1, QueueReference: { Channel: 'VOICE', QueueArn: queue } }],
    });
  });

  test('THEN a voice number is claimed in the instance: the configured type, else a US DID', () => {
    expect(only(t, 'AWS::Connect::PhoneNumber', 'SunriseFamily')).toMatchObject({ TargetArn: getAtt('SunriseFamilyInstance', 'Arn'), CountryCode: 'US', Type: 'TOLL_FREE' });
    expect(only(t, 'AWS::Connect::PhoneNumber', 'LakesidePediatrics')).toMatchObject({ TargetArn: getAtt('LakesidePediatricsInstance', 'Arn'), CountryCode: 'US', Type: 'DID' });
  });

  test('THEN the claimed number is associated with the inbound IVR, by an SDK call allowed on that number and that flow only', () => {
    const [id, call] = resources(t, 'Custom::AWS').find(([key]) => key.startsWith('SunriseFamilyInboundNumber'))!;
    const create = contentText(call.Properties.Create);
    expect(JSON.parse(create.replace(/\{\{([^}]+)\}\}/g, '<$1>'))).toEqual({
      service: 'Connect',
      action: 'AssociatePhoneNumberContactFlow',
      parameters: { PhoneNumberId: '<select>', InstanceId: '<SunriseFamilyInstance.Id>', ContactFlowId: '<select>' },
      physicalResourceId: { id: 'SunriseFamily-inbound-number' },
    });
    expect(call.Properties.Create['Fn::Join'][1]).toEqual(
      expect.arrayContaining([
        { 'Fn::Select': [1, { 'Fn::Split': ['/', getAtt('SunriseFamilyVoiceNumber', 'PhoneNumberArn')] }] },
        { 'Fn::Select': [3, { 'Fn::Split': ['/', getAtt('SunriseFamilyInboundIvrFlow', 'ContactFlowArn')] }] },
      ]),
    );
    const policy = resources(t, 'AWS::IAM::Policy').find(([key]) => key.startsWith(`${id.replace(/[0-9A-F]{8}$/, '')}CustomResourcePolicy`))!;
    expect(policy[1].Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['connect:AssociatePhoneNumberContactFlow', 'connect:DisassociatePhoneNumberContactFlow'],
        Resource: [getAtt('SunriseFamilyInboundIvrFlow', 'ContactFlowArn'), getAtt('SunriseFamilyVoiceNumber', 'PhoneNumberArn')],
      },
    ]);
  });

  test.each([
    ['InboundIvr', 'inboundIvr', 'CONTACT_FLOW'],
    ['OutboundCall', 'outboundCall', 'CONTACT_FLOW'],
    ['OutboundWhisper', 'outboundWhisper', 'AGENT_WHISPER'],
    ['Voicemail', 'voicemail', 'CONTACT_FLOW'],
  ] as const)('THEN the %s flow is the file with the practice\'s values and this stack\'s ARNs filled in, and it validates', (name, role, type) => {
    const props = only(t, 'AWS::Connect::ContactFlow', `SunriseFamily${name}Flow`);
    expect(props).toMatchObject({ Type: type, State: 'ACTIVE', InstanceArn: getAtt('SunriseFamilyInstance', 'Arn'), Name: `outreach-dev-sunrise-family-${CONTACT_FLOW_FILES[role].file.replace('.json', '')}` });
    const content = flowContent(t, `SunriseFamily${name}Flow`);
    expect(content).toEqual(
      expectedFlow(role, 'sunrise-family', {
        QueueArn: '{{SunriseFamilyOutreachQueue.QueueArn}}',
        CallerLookupFunctionArn: `{{${functionLogicalId(t, 'outreach-dev-lookup-caller')}.Arn}}`,
        RecordDispositionFunctionArn: RECORD_DISPOSITION,
        OutboundWhisperFlowArn: '{{SunriseFamilyOutboundWhisperFlow.ContactFlowArn}}',
      }),
    );
    expect(validateFlow(content, { flowType: type })).toEqual([]);
  });

  test('THEN every flow of every practice has all its placeholders filled', () => {
    const flows = resources(t, 'AWS::Connect::ContactFlow');
    expect(flows).toHaveLength(8);
    for (const [id, flow] of flows) expect({ id, left: placeholdersIn(JSON.parse(contentText(flow.Properties.Content))) }).toEqual({ id, left: [] });
  });

  test('THEN both functions are associated with each instance and only that instance (in this account) may invoke them', () => {
    const lookupArn = getAtt(functionLogicalId(t, 'outreach-dev-lookup-caller'), 'Arn');
    const recordArn = arn('lambda', ':function:outreach-dev-record-disposition');
    for (const practice of ['SunriseFamily', 'LakesidePediatrics']) {
      const instanceArn = getAtt(`${practice}Instance`, 'Arn');
      expect(only(t, 'AWS::Connect::IntegrationAssociation', `${practice}CallerLookup`)).toMatchObject({ InstanceId: instanceArn, IntegrationType: 'LAMBDA_FUNCTION', IntegrationArn: lookupArn });
      expect(only(t, 'AWS::Connect::IntegrationAssociation', `${practice}RecordDisposition`)).toMatchObject({ InstanceId: instanceArn, IntegrationType: 'LAMBDA_FUNCTION', IntegrationArn: recordArn });
      for (const [fn, functionArn] of [
        ['CallerLookup', lookupArn],
        ['RecordDisposition', recordArn],
      ] as const) {
        expect(only(t, 'AWS::Lambda::Permission', `${practice}${fn}InvokePermission`)).toEqual({
          Action: 'lambda:InvokeFunction',
          FunctionName: functionArn,
          Principal: 'connect.amazonaws.com',
          SourceArn: instanceArn,
          SourceAccount: { Ref: 'AWS::AccountId' },
        });
      }
    }
  });

  test('THEN the flows are created after the functions they invoke are associated', () => {
    const [, inbound] = resources(t, 'AWS::Connect::ContactFlow').find(([id]) => id === 'SunriseFamilyInboundIvrFlow')!;
    expect(inbound.DependsOn).toEqual(expect.arrayContaining(['SunriseFamilyCallerLookupAssociation', 'SunriseFamilyRecordDispositionAssociation']));
  });

  test('THEN each practice\'s ids are stack outputs and a public property, from the created resources', () => {
    const stack = created.stacks.contactCenter!;
    const sunrise = stack.practices['sunrise-family']!;
    expect(stack.resolve(sunrise.instanceId)).toEqual(getAtt('SunriseFamilyInstance', 'Id'));
    expect(stack.resolve(sunrise.queueId)).toEqual({ 'Fn::Select': [3, { 'Fn::Split': ['/', getAtt('SunriseFamilyOutreachQueue', 'QueueArn')] }] });
    expect(stack.resolve(sunrise.outboundFlowId)).toEqual({ 'Fn::Select': [3, { 'Fn::Split': ['/', getAtt('SunriseFamilyOutboundCallFlow', 'ContactFlowArn')] }] });
    expect(stack.resolve(sunrise.outboundWhisperFlowId)).toEqual({ 'Fn::Select': [3, { 'Fn::Split': ['/', getAtt('SunriseFamilyOutboundWhisperFlow', 'ContactFlowArn')] }] });
    expect(stack.resolve(sunrise.voicemailFlowId)).toEqual({ 'Fn::Select': [3, { 'Fn::Split': ['/', getAtt('SunriseFamilyVoicemailFlow', 'ContactFlowArn')] }] });
    expect(stack.resolve(sunrise.inboundFlowId)).toEqual({ 'Fn::Select': [3, { 'Fn::Split': ['/', getAtt('SunriseFamilyInboundIvrFlow', 'ContactFlowArn')] }] });
    expect(sunrise.created).toBe(true);
    const outputs = t.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const [name, key] of [
      ['InstanceId', 'instanceId'],
      ['InstanceArn', 'instanceArn'],
      ['QueueId', 'queueId'],
      ['OutboundFlowId', 'outboundFlowId'],
      ['OutboundWhisperFlowId', 'outboundWhisperFlowId'],
      ['VoicemailFlowId', 'voicemailFlowId'],
      ['InboundFlowId', 'inboundFlowId'],
      ['PhoneNumberArn', 'phoneNumberArn'],
    ] as const) {
      expect(outputs[`SunriseFamily${name}`]?.Value).toEqual(stack.resolve(sunrise[key]));
    }
  });

  test('THEN the created instances\' ids are left in one SSM parameter, which every outreach function that plans a send may read', () => {
    const [[, parameter]] = resources(t, 'AWS::SSM::Parameter');
    expect(parameter!.Properties.Name).toBe('/outreach/dev/contact-centers');
    const value = contentText(parameter!.Properties.Value);
    expect(JSON.parse(value.replace(/\{\{[^}]+\}\}/g, 'x'))).toEqual({
      'sunrise-family': { instanceId: 'x', queueId: 'x', outboundFlowId: 'x', voicemailFlowId: 'x' },
      'lakeside-pediatrics': { instanceId: 'x', queueId: 'x', outboundFlowId: 'x', voicemailFlowId: 'x' },
    });
    expect(value).toContain('{{SunriseFamilyInstance.Id}}');
    const reads = (name: string) => statementsOfFunction(created.outreach, name).filter((st) => asArray(st.Action).includes('ssm:GetParameter'));
    for (const name of ['outreach-dev-cadence-plan', 'outreach-dev-cadence-queue-agent-call', 'outreach-dev-cadence-drop-voicemail', 'outreach-dev-send-message', 'outreach-dev-place-callback', 'outreach-dev-record-disposition']) {
      expect(reads(name)).toEqual([{ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: arn('ssm', ':parameter/outreach/dev/contact-centers') }]);
    }
    expect(statementsOfFunction(existing.outreach, 'outreach-dev-cadence-plan').filter((st) => asArray(st.Action).includes('ssm:GetParameter'))).toEqual([]);
  });

  test('THEN the outreach callers may start calls on, and record-disposition read, only the created instances\' contacts; their COMPLETED events go to record-disposition', () => {
    // Either order: both created instances and nothing else.
    const both = (make: (id: string) => unknown) => expect.arrayContaining(['SunriseFamilyInstance', 'LakesidePediatricsInstance'].map(make));
    const instanceContacts = both((id) => ({ 'Fn::Join': ['', [getAtt(id, 'Arn'), '/contact/*']] }));
    const policy = (prefix: string) => only(t, 'AWS::IAM::Policy', prefix);
    expect(policy('CreatedInstanceCalls').PolicyDocument.Statement).toEqual([{ Effect: 'Allow', Action: 'connect:StartOutboundVoiceContact', Resource: instanceContacts }]);
    expect(policy('CreatedInstanceCalls').PolicyDocument.Statement[0].Resource).toHaveLength(2);
    // The callers: queue-agent-call, drop-voicemail, run-send (a run's voicemails) and place-callback, no other role.
    const callerRoles = (policy('CreatedInstanceCalls').Roles as { 'Fn::ImportValue': string }[]).map((r) => r['Fn::ImportValue'].replace(/^Outreach-dev-Outreach:ExportsOutputRef(\w+?)Role\w+$/, '$1'));
    expect(callerRoles.sort()).toEqual(['DropVoicemail', 'PlaceCallback', 'QueueAgentCall', 'RunSendDue']);
    expect(policy('CreatedInstanceContactAttributes').PolicyDocument.Statement).toEqual([{ Effect: 'Allow', Action: 'connect:GetContactAttributes', Resource: instanceContacts }]);
    const rule = only(t, 'AWS::Events::Rule', 'CreatedInstanceContactCompletedRule');
    expect(rule.EventPattern).toEqual({ source: ['aws.connect'], 'detail-type': ['Amazon Connect Contact Event'], detail: { eventType: ['COMPLETED'], instanceArn: both((id) => getAtt(id, 'Arn')) } });
    expect(rule.EventPattern.detail.instanceArn).toHaveLength(2);
    expect(rule.Targets).toEqual([expect.objectContaining({ Arn: expect.objectContaining({ 'Fn::ImportValue': expect.stringContaining('RecordDisposition') }), RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 } })]);
    // The outreach stack's own rule covers only instances the config names: none here.
    expect(Object.values(created.outreach.findResources('AWS::Events::Rule')).filter((r) => JSON.stringify(r).includes('aws.connect'))).toEqual([]);
  });

  test('THEN the caller lookup may only read (Query the index, BatchGetItem the profiles) the tracker table and decrypt with the stage key', () => {
    const statements = statementsOfFunction(t, 'outreach-dev-lookup-caller');
    const dynamo = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.map((d) => ({ ...d, Action: asArray(d.Action).sort() }))).toEqual([{ Effect: 'Allow', Action: ['dynamodb:BatchGetItem', 'dynamodb:Query'], Resource: importOf('TrackerTable') }]);
    expect(statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('kms:')))).toEqual([{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: importOf('Key') }]);
    expect([...new Set(allowedActions(statements))].sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:Query', 'kms:Decrypt', 'logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    const fn = t.toJSON().Resources[functionLogicalId(t, 'outreach-dev-lookup-caller')].Properties;
    expect(fn.Environment.Variables.TRACKER_TABLE_NAME).toEqual(importOf('TrackerTable'));
    expect(fn.Timeout).toBe(3);
  });
});

describe('GIVEN a practice with an existing Connect instance (the sample stage) WHEN the app is synthesised', () => {
  let t: Template;
  const instanceArn = arn('connect', `:instance/${SUNRISE_INSTANCE}`);
  beforeAll(() => {
    t = templateOf(existing);
  });

  test('THEN no instance, storage, hours, queue, routing profile, number or SDK call is created', () => {
    for (const type of ['AWS::Connect::Instance', 'AWS::Connect::InstanceStorageConfig', 'AWS::Connect::HoursOfOperation', 'AWS::Connect::Queue', 'AWS::Connect::RoutingProfile', 'AWS::Connect::PhoneNumber', 'Custom::AWS']) {
      expect({ type, found: resources(t, type).length }).toEqual({ type, found: 0 });
    }
  });

  test('THEN no flow-log group is created: the instance\'s flow logs stay where its owners put them', () => {
    const groups = resources(t, 'AWS::Logs::LogGroup').map(([, g]) => g.Properties.LogGroupName as unknown);
    expect(groups.filter((name) => typeof name === 'string' && name.startsWith('/aws/connect/'))).toEqual([]);
  });

  test('THEN the inbound IVR, the whisper and the voicemail flow are created in that instance, the IVR queueing to the configured queue', () => {
    const flows = resources(t, 'AWS::Connect::ContactFlow');
    expect(flows.map(([id]) => id).sort()).toEqual(['SunriseFamilyInboundIvrFlow', 'SunriseFamilyOutboundWhisperFlow', 'SunriseFamilyVoicemailFlow']);
    for (const [, flow] of flows) expect(flow.Properties.InstanceArn).toEqual(instanceArn);
    const inbound = flowContent(t, 'SunriseFamilyInboundIvrFlow');
    expect(inbound).toEqual(
      expectedFlow('inboundIvr', 'sunrise-family', {
        QueueArn: `arn:{{AWS::Partition}}:connect:us-east-1:{{AWS::AccountId}}:instance/${SUNRISE_INSTANCE}/queue/${SUNRISE_QUEUE}`,
        CallerLookupFunctionArn: `{{${functionLogicalId(t, 'outreach-dev-lookup-caller')}.Arn}}`,
        RecordDispositionFunctionArn: RECORD_DISPOSITION,
      }),
    );
    expect(validateFlow(inbound, { flowType: 'CONTACT_FLOW' })).toEqual([]);
  });

  test('THEN both functions are associated with the existing instance, which alone may invoke them', () => {
    for (const fn of ['CallerLookup', 'RecordDisposition']) {
      expect(only(t, 'AWS::Connect::IntegrationAssociation', `SunriseFamily${fn}`).InstanceId).toEqual(instanceArn);
      expect(only(t, 'AWS::Lambda::Permission', `SunriseFamily${fn}InvokePermission`)).toMatchObject({ Principal: 'connect.amazonaws.com', SourceArn: instanceArn, SourceAccount: { Ref: 'AWS::AccountId' } });
    }
  });

  test('THEN the configured queue and outbound flow are what the outputs and the public property give', () => {
    const stack = existing.stacks.contactCenter!;
    const sunrise = stack.practices['sunrise-family']!;
    expect({ created: sunrise.created, instanceId: sunrise.instanceId, queueId: sunrise.queueId, outboundFlowId: sunrise.outboundFlowId }).toEqual({
      created: false,
      instanceId: SUNRISE_INSTANCE,
      queueId: SUNRISE_QUEUE,
      outboundFlowId: SUNRISE_OUTBOUND_FLOW,
    });
    const outputs = t.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.SunriseFamilyQueueId?.Value).toBe(SUNRISE_QUEUE);
    expect(outputs.SunriseFamilyOutboundFlowId?.Value).toBe(SUNRISE_OUTBOUND_FLOW);
    expect(outputs.SunriseFamilyInstanceArn?.Value).toEqual(instanceArn);
    expect(outputs.SunriseFamilyPhoneNumberArn).toBeUndefined();
  });

  test('THEN a practice without a contact center gets nothing', () => {
    expect(Object.keys(existing.stacks.contactCenter!.practices)).toEqual(['sunrise-family']);
    expect(resources(t, 'AWS::Connect::ContactFlow').filter(([id]) => id.startsWith('Lakeside'))).toEqual([]);
  });
});

describe('GIVEN no practice with a contact center WHEN the app is built', () => {
  test('THEN there is no contact center stack', () => {
    const app = testApp();
    const stacks = buildOutreachApp(
      app,
      sampleConfig((raw) => {
        for (const practice of raw.practices) delete practice.contactCenter;
      }),
      SAMPLE_CONFIG_FILE,
    );
    expect(stacks.contactCenter).toBeUndefined();
    expect(app.node.children.filter((c) => Stack.isStack(c)).map((s) => (s as Stack).stackName)).not.toContain('Outreach-dev-ContactCenter');
  });
});

describe('GIVEN two practices that would create an instance with the same alias', () => {
  test('THEN the stack refuses to build, naming the alias', () => {
    const config = sampleConfig((raw) => {
      raw.practices[0].contactCenter = { instanceAlias: 'shared-alias', hours: WEEKDAY_HOURS };
      raw.practices[1].contactCenter = { instanceAlias: 'shared-alias', hours: WEEKDAY_HOURS };
    });
    expect(() => new ContactCenterStack(testApp(), 'Test', { config, stageConfigFile: SAMPLE_CONFIG_FILE, ...dataOf() })).toThrow(
      'contactCenter.instanceAlias shared-alias is given by more than one practice',
    );
  });
});

/** The data stack resources, from a throwaway app. */
function dataOf() {
  const stacks = buildOutreachApp(testApp(), sampleConfig(), SAMPLE_CONFIG_FILE);
  return { key: stacks.data.key, trackerTable: stacks.data.trackerTable, reportsBucket: stacks.data.reportsBucket };
}

describe('GIVEN the stage config\'s contactCenter', () => {
  const raw = () => JSON.parse(fs.readFileSync(SAMPLE_CONFIG_FILE, 'utf8'));
  const withContactCenter = (contactCenter: Record<string, unknown>) => {
    const config = raw();
    config.practices[0].contactCenter = contactCenter;
    return config;
  };
  const hours = { mon: { open: '09:00', close: '17:00' } };

  test('THEN an existing instance parses as before: the same fields, nothing added', () => {
    expect(parseStageConfig(raw()).practices[0]!.contactCenter).toEqual({
      instanceId: SUNRISE_INSTANCE,
      outboundFlowId: SUNRISE_OUTBOUND_FLOW,
      queueId: SUNRISE_QUEUE,
      callsPerSecond: 1,
      hours: raw().practices[0].contactCenter.hours,
    });
  });

  test('THEN an instance to create needs only its alias and hours', () => {
    expect(parseStageConfig(withContactCenter({ instanceAlias: 'sunrise-outreach', hours })).practices[0]!.contactCenter).toEqual({ instanceAlias: 'sunrise-outreach', callsPerSecond: 1, hours });
  });

  test.each([
    [{ instanceId: SUNRISE_INSTANCE, instanceAlias: 'sunrise-outreach', outboundFlowId: SUNRISE_OUTBOUND_FLOW, queueId: SUNRISE_QUEUE, hours }, 'practices.0.contactCenter.instanceId: give either instanceId (an existing Connect instance) or instanceAlias'],
    [{ hours }, 'practices.0.contactCenter.instanceId: give either instanceId (an existing Connect instance) or instanceAlias'],
    [{ instanceId: SUNRISE_INSTANCE, outboundFlowId: SUNRISE_OUTBOUND_FLOW, hours }, 'practices.0.contactCenter.queueId: an existing instance (instanceId) needs queueId'],
    [{ instanceId: SUNRISE_INSTANCE, queueId: SUNRISE_QUEUE, hours }, 'practices.0.contactCenter.outboundFlowId: an existing instance (instanceId) needs outboundFlowId'],
    [{ instanceAlias: 'sunrise-outreach', queueId: SUNRISE_QUEUE, hours }, 'practices.0.contactCenter.queueId: the stack creates queueId in the instance it creates (instanceAlias)'],
    [{ instanceAlias: 'sunrise-outreach', voicemailFlowId: SUNRISE_OUTBOUND_FLOW, hours }, 'practices.0.contactCenter.voicemailFlowId: the stack creates voicemailFlowId'],
    [{ instanceId: SUNRISE_INSTANCE, outboundFlowId: SUNRISE_OUTBOUND_FLOW, queueId: SUNRISE_QUEUE, phoneNumber: { type: 'DID' }, hours }, 'practices.0.contactCenter.phoneNumber: the stack claims a number only in an instance it creates'],
    [{ instanceAlias: 'd-sunrise', hours }, 'practices.0.contactCenter.instanceAlias: a Connect instance alias'],
  ])('THEN %j is refused with a clear message', (contactCenter, message) => {
    expect(() => parseStageConfig(withContactCenter(contactCenter))).toThrow(message);
  });
});

describe('GIVEN a practice WHEN its values for the flows are made', () => {
  test('THEN hours read as day ranges with spoken times, numbers digit by digit, the address on one line', () => {
    expect(spokenHours({ mon: { open: '09:00', close: '17:00' }, tue: { open: '09:00', close: '17:00' }, wed: { open: '09:00', close: '12:30' }, fri: { open: '12:00', close: '20:00' } })).toBe(
      'Monday to Tuesday, 9 AM to 5 PM; Wednesday, 9 AM to 12:30 PM; Friday, 12 PM to 8 PM',
    );
    expect(spokenHours({})).toBe('by appointment only');
    expect([spokenTime('00:15'), spokenTime('11:59'), spokenTime('12:00'), spokenTime('13:05')]).toEqual(['12:15 AM', '11:59 AM', '12 PM', '1:05 PM']);
    expect(spokenPhoneNumber('+12065550143')).toBe('2 0 6, 5 5 5, 0 1 4 3');
    expect(spokenPhoneNumber('+442071838750')).toBe('4 4 2 0 7 1 8 3 8 7 5 0');
    const lakeside = sampleConfig().practices.find((p) => p.id === 'lakeside-pediatrics')!;
    expect(practiceFlowValues(lakeside)).toEqual({
      PracticeId: 'lakeside-pediatrics',
      PracticeName: 'Lakeside Pediatrics',
      PracticeAddress: '455 N Lake Shore Dr, Chicago, IL 60611',
      PracticeHours: 'by appointment only',
      CallbackNumberSpoken: '3 1 2, 5 5 5, 0 1 6 2',
    });
  });

  test('THEN Connect\'s hours of operation skip closed days', () => {
    expect(hoursOfOperationConfig({ sun: { open: '10:00', close: '14:30' } })).toEqual([{ day: 'SUNDAY', startTime: { hours: 10, minutes: 0 }, endTime: { hours: 14, minutes: 30 } }]);
  });
});
