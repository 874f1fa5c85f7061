/**
 * The appointment desk in the outreach stack: the functions one-time schedules invoke, the
 * practice's appointment-change rule, the schedule group and the role Scheduler uses, and
 * the daily hand-off file. Each function may do its own job only.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { allowedActions, asArray, functionLogicalId, statementsOfFunction, statementsOfRole, synthOutreach, type Statement, type SynthesisedOutreach } from './support/outreach-app';

let sample: SynthesisedOutreach;
let template: Template;
beforeAll(() => {
  sample = synthOutreach();
  template = sample.outreach;
});

const NAMES = {
  sendMessage: 'outreach-dev-send-message',
  placeCallback: 'outreach-dev-place-callback',
  resumeOutreach: 'outreach-dev-resume-outreach',
  changeAppointment: 'outreach-dev-change-appointment',
  handOffFile: 'outreach-dev-hand-off-file',
  appointmentFile: 'outreach-dev-appointment-file',
  recordDisposition: 'outreach-dev-record-disposition',
  receiveReply: 'outreach-dev-receive-reply',
  recordDelivery: 'outreach-dev-record-delivery',
} as const;
type Name = keyof typeof NAMES;
const fnProps = (key: Name) => template.toJSON().Resources[functionLogicalId(template, NAMES[key])].Properties;
const env = (key: Name) => fnProps(key).Environment.Variables as Record<string, unknown>;
/** Actions beyond what every function has (logs, X-Ray, the tracker and its key, its dead-letter queue). */
const ownActions = (key: Name) => [...new Set(allowedActions(statementsOfFunction(template, NAMES[key])))].filter((a) => !/^(logs|xray|dynamodb|kms):|^sqs:SendMessage$/.test(a)).sort();
const grantsOf = (key: Name, action: string) => statementsOfFunction(template, NAMES[key]).filter((s: Statement) => asArray(s.Action).includes(action));
const arnOf = (service: string, resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:us-east-1:`, { Ref: 'AWS::AccountId' }, resource]] });

describe('GIVEN the sample stage WHEN the outreach stack is synthesised', () => {
  test('THEN each desk function may do only its own job', () => {
    const scheduling = ['iam:PassRole', 'scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:UpdateSchedule'];
    expect(Object.fromEntries((Object.keys(NAMES) as Name[]).map((k) => [k, ownActions(k)]))).toEqual({
      sendMessage: [...scheduling, 'sms-voice:SendTextMessage'].sort(),
      placeCallback: ['connect:StartOutboundVoiceContact', ...scheduling].sort(),
      resumeOutreach: ['states:StartExecution'],
      changeAppointment: ['events:PutEvents', ...scheduling, 'sms-voice:SendTextMessage', 'states:StartExecution'].sort(),
      appointmentFile: ['events:PutEvents', ...scheduling, 's3:Abort*', 's3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:PutObject', 's3:PutObjectLegalHold', 's3:PutObjectRetention', 's3:PutObjectTagging', 's3:PutObjectVersionTagging', 'sms-voice:SendTextMessage', 'states:StartExecution'].sort(),
      handOffFile: ['s3:Abort*', 's3:PutObject', 's3:PutObjectLegalHold', 's3:PutObjectRetention', 's3:PutObjectTagging', 's3:PutObjectVersionTagging'],
      recordDisposition: ['connect:GetContactAttributes', 'events:PutEvents', ...scheduling, 'mobiletargeting:PhoneNumberValidate', 'sms-voice:DeleteOptedOutNumber', 'sms-voice:PutOptedOutNumber', 'sms-voice:SendTextMessage', 'states:StartExecution'].sort(),
      receiveReply: ['events:PutEvents', ...scheduling, 'sms-voice:DeleteOptedOutNumber', 'sms-voice:PutOptedOutNumber', 'sms-voice:SendTextMessage', 'states:StartExecution'].sort(),
      recordDelivery: [],
    });
  });

  test('THEN each function is told exactly the resources its handler reads (a missing one fails at run time, not at synth)', () => {
    const names = (key: Name) => Object.keys(env(key)).filter((k) => !/^(POWERTOOLS_|NODE_OPTIONS|AWS_|OUTREACH_CONFIG_FILE)/.test(k)).sort();
    const desk = ['CONFIGURATION_SET_NAME', 'EVENT_BUS_NAME', 'ORIGINATION_IDENTITIES', 'SCHEDULES', 'TRACKER_TABLE_NAME'];
    expect(Object.fromEntries((Object.keys(NAMES) as Name[]).map((k) => [k, names(k)]))).toEqual({
      sendMessage: ['CONFIGURATION_SET_NAME', 'ORIGINATION_IDENTITIES', 'SCHEDULES', 'TRACKER_TABLE_NAME'],
      placeCallback: ['SCHEDULES', 'TRACKER_TABLE_NAME'],
      resumeOutreach: ['CADENCE_STATE_MACHINE_ARN', 'TRACKER_TABLE_NAME'],
      changeAppointment: ['CADENCE_STATE_MACHINE_ARN', ...desk].sort(),
      appointmentFile: ['CADENCE_STATE_MACHINE_ARN', 'IMPORT_BUCKET_NAME', 'REPORTS_BUCKET_NAME', ...desk].sort(),
      handOffFile: ['REPORTS_BUCKET_NAME', 'TRACKER_TABLE_NAME'],
      recordDisposition: ['CADENCE_STATE_MACHINE_ARN', 'OPT_OUT_LIST_NAME', ...desk].sort(),
      receiveReply: ['CADENCE_STATE_MACHINE_ARN', 'OPT_OUT_LIST_NAME', ...desk].sort(),
      recordDelivery: ['TRACKER_TABLE_NAME'],
    });
  });

  test('THEN schedules may be made and removed only in the message group, and only the scheduler role passed, to Scheduler', () => {
    for (const key of ['sendMessage', 'placeCallback', 'changeAppointment', 'recordDisposition'] as const) {
      expect(grantsOf(key, 'scheduler:CreateSchedule')).toEqual([
        { Effect: 'Allow', Action: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:UpdateSchedule'], Resource: arnOf('scheduler', ':schedule/outreach-dev-messages/*') },
      ]);
      expect(grantsOf(key, 'iam:PassRole')).toEqual([
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/outreach-dev-message-scheduler']] }, Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } },
      ]);
      // SCHEDULES is JSON built at deploy time (Fn::Join): the group and each target's ARN by its fixed name.
      const schedules = JSON.stringify(env(key).SCHEDULES);
      for (const part of ['\\"groupName\\":\\"outreach-dev-messages\\"', ':function:outreach-dev-send-message', ':function:outreach-dev-place-callback', ':function:outreach-dev-resume-outreach', ':role/outreach-dev-message-scheduler']) {
        expect(schedules).toContain(part);
      }
    }
    expect(env('resumeOutreach').SCHEDULES).toBeUndefined();
  });

  test('THEN Scheduler, for the message group only, may invoke exactly the three targets and dead-letter to the desk queue', () => {
    const roleId = Object.entries(template.findResources('AWS::IAM::Role')).find(([, r]) => r.Properties.RoleName === 'outreach-dev-message-scheduler')![0];
    const groupId = Object.entries(template.findResources('AWS::Scheduler::ScheduleGroup')).find(([, r]) => r.Properties.Name === 'outreach-dev-messages')![0];
    const statements = statementsOfRole(template, roleId);
    const invoked = statements.filter((s) => asArray(s.Action).includes('lambda:InvokeFunction')).flatMap((s) => asArray(s.Resource)).map((r: any) => (r['Fn::GetAtt'] ?? r['Fn::Join'][1][0]['Fn::GetAtt'])[0]);
    expect([...new Set(invoked)].sort()).toEqual((['sendMessage', 'placeCallback', 'resumeOutreach'] as const).map((k) => functionLogicalId(template, NAMES[k])).sort());
    const queueId = Object.keys(template.findResources('AWS::SQS::Queue')).find((id) => id.startsWith('AppointmentDeadLetterQueue'))!;
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    expect(allowedActions(statements).filter((a) => a !== 'lambda:InvokeFunction' && a !== 'sqs:SendMessage').sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(template.toJSON().Resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': { 'Fn::GetAtt': [groupId, 'Arn'] } } },
      },
    ]);
    // Failed asynchronous invocations land in the same queue.
    for (const key of ['sendMessage', 'placeCallback', 'resumeOutreach', 'changeAppointment'] as const) expect(fnProps(key).DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
  });

  test('THEN "Appointment Change Requested" events on the outreach bus go to change-appointment, retried for a day, then dead-lettered', () => {
    const [rule] = Object.values(template.findResources('AWS::Events::Rule')).filter((r) => JSON.stringify(r.Properties.EventPattern).includes('Appointment Change Requested'));
    expect(rule!.Properties.EventPattern).toEqual({ 'detail-type': ['Appointment Change Requested'] });
    expect(rule!.Properties.EventBusName).toEqual(expect.objectContaining({ 'Fn::ImportValue': expect.stringContaining('EventBus') }));
    expect(rule!.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: { 'Fn::GetAtt': [functionLogicalId(template, NAMES.changeAppointment), 'Arn'] }, RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 } }),
    ]);
  });

  test('THEN an "Object Created" event under appointments/ in the import bucket (and no other prefix) invokes appointment-file, which may read only there and write its results only under appointments/ in the reports bucket', () => {
    const [rule] = Object.values(template.findResources('AWS::Events::Rule')).filter((r) => JSON.stringify(r.Properties.EventPattern).includes('appointments/'));
    expect(rule!.Properties.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [expect.objectContaining({ 'Fn::ImportValue': expect.stringContaining('ImportBucket') })] }, object: { key: [{ prefix: 'appointments/' }] } },
    });
    expect(rule!.Properties.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [functionLogicalId(template, 'outreach-dev-appointment-file'), 'Arn'] } })]);
    const s3 = statementsOfFunction(template, 'outreach-dev-appointment-file').filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:')));
    const objects = s3.flatMap((s) => asArray(s.Resource)).filter((r: any) => r['Fn::Join']).map((r: any) => r['Fn::Join'][1][1]);
    expect(objects.sort()).toEqual(['/appointments/*', '/appointments/*']);
    expect(s3.filter((s) => asArray(s.Action).some((a) => /Delete/.test(a)))).toEqual([]);
  });

  test.each([
    ['receiveReply', 'InboundSmsTopic'],
    ['recordDelivery', 'DeliveryEventsTopic'],
  ] as const)('THEN %s is subscribed to the messaging stack\'s %s, which alone (in this account) may invoke it', (key, topic) => {
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')).filter((r) => r.Properties.Endpoint['Fn::GetAtt'][0] === functionLogicalId(template, NAMES[key]));
    expect(subscriptions.map((r) => r.Properties)).toEqual([{ Protocol: 'lambda', TopicArn: expect.objectContaining({ 'Fn::ImportValue': expect.stringContaining(topic) }), Endpoint: { 'Fn::GetAtt': [functionLogicalId(template, NAMES[key]), 'Arn'] } }]);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [functionLogicalId(template, NAMES[key]), 'Arn'] },
      Principal: 'sns.amazonaws.com',
      SourceArn: subscriptions[0]!.Properties.TopicArn,
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });

  test('THEN receive-reply may put numbers on and take them off only the stage\'s opt-out list', () => {
    const grants = statementsOfFunction(template, NAMES.receiveReply).filter((st) => asArray(st.Action).includes('sms-voice:PutOptedOutNumber'));
    expect(grants).toEqual([{ Effect: 'Allow', Action: ['sms-voice:DeleteOptedOutNumber', 'sms-voice:PutOptedOutNumber'], Resource: expect.objectContaining({ 'Fn::Join': expect.arrayContaining([expect.arrayContaining([':opt-out-list/']) ]) }) }]);
    expect(env('receiveReply').OPT_OUT_LIST_NAME).toEqual(expect.objectContaining({ 'Fn::ImportValue': expect.stringContaining('OptOutList') }));
  });

  test('THEN the hand-off file runs daily at 06:00 UTC and may only put objects under handoffs/ and read the tracker', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', { Name: 'outreach-dev-hand-off-file', ScheduleExpression: 'cron(0 6 * * ? *)', GroupName: 'outreach-dev-schedules' });
    const s3 = statementsOfFunction(template, NAMES.handOffFile).filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:')));
    expect(s3).toEqual([expect.objectContaining({ Resource: { 'Fn::Join': ['', [expect.objectContaining({ 'Fn::ImportValue': expect.stringContaining('ReportsBucket') }), '/handoffs/*']] } })]);
    const dynamo = allowedActions(statementsOfFunction(template, NAMES.handOffFile)).filter((a) => a.startsWith('dynamodb:'));
    expect(dynamo.filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
    expect(fnProps('handOffFile').ReservedConcurrentExecutions).toBe(1);
  });
});
