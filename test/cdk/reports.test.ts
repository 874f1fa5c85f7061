/**
 * Reports in the outreach stack (lib/constructs/reports.ts): the daily outreach report and
 * the replies export, each reading the tracker only and writing only under its own prefix of
 * the reports bucket, and the schedule that runs the report every day at 13:00 UTC.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { EXPORTS_PREFIX, OUTREACH_REPORTS_PREFIX, REPORT_HOUR_UTC, REPORT_MINUTE_UTC } from '../../lib/constructs/reports';
import { allowedActions, asArray, functionLogicalId, statementsOfFunction, statementsOfRole, synthOutreach, type Statement, type SynthesisedOutreach } from './support/outreach-app';

let sample: SynthesisedOutreach;
let t: Template;
beforeAll(() => {
  sample = synthOutreach();
  t = sample.outreach;
});

const NAMES = { report: 'outreach-dev-outreach-report', exportReplies: 'outreach-dev-export-replies' } as const;
type Name = keyof typeof NAMES;
const fnId = (key: Name) => functionLogicalId(t, NAMES[key]);
const fnProps = (key: Name) => t.toJSON().Resources[fnId(key)].Properties;
const env = (key: Name) => fnProps(key).Environment.Variables as Record<string, unknown>;
const statementsOf = (key: Name) => statementsOfFunction(t, NAMES[key]);
const importValueOf = (prefix: string) => ({ 'Fn::ImportValue': expect.stringMatching(new RegExp(`^Outreach-dev-Data:ExportsOutput(Ref|FnGetAtt)${prefix}`)) });
/** The same members in any order. */
const sameMembers = (expected: unknown[]) => {
  const matcher = expect.arrayContaining(expected);
  return { asymmetricMatch: (actual: unknown[]) => Array.isArray(actual) && actual.length === expected.length && matcher.asymmetricMatch(actual), toString: () => 'sameMembers' };
};
/** The object keys (after the bucket ARN) a statement's resources name. */
const objectKeys = (statements: Statement[]) =>
  statements
    .flatMap((s) => asArray(s.Resource))
    .filter((r: any) => r['Fn::Join'])
    .map((r: any) => r['Fn::Join'][1].slice(1).join(''));
const reportSchedule = () => {
  const found = Object.values(t.findResources('AWS::Scheduler::Schedule')).filter((s) => s.Properties.Name === 'outreach-dev-outreach-report');
  if (found.length !== 1) throw new Error(`expected one report schedule, found ${found.length}`);
  return found[0]! as { Properties: Record<string, any>; DependsOn?: string[] };
};

describe('GIVEN the sample stage WHEN the app is synthesised', () => {
  test('THEN outreach-report runs up to 15 minutes with 1024 MB on arm64 Node.js 24 with tracing, one at a time; export-replies up to 15 minutes', () => {
    expect(fnProps('report')).toEqual(expect.objectContaining({ Timeout: 900, MemorySize: 1024, ReservedConcurrentExecutions: 1, Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } }));
    expect(fnProps('exportReplies')).toEqual(expect.objectContaining({ Timeout: 900, ReservedConcurrentExecutions: 1, Runtime: 'nodejs24.x', Architectures: ['arm64'] }));
  });

  test.each([
    ['report', 'outreach-report.ts'],
    ['exportReplies', 'export-replies.ts'],
  ] as const)('THEN %s (lambdas/handlers/%s) has its own log group encrypted with the stage key, and is told the tracker and the reports bucket and nothing else', (key, _file) => {
    const names = Object.keys(env(key)).filter((k) => !/^(POWERTOOLS_|NODE_OPTIONS|OUTREACH_CONFIG_FILE)/.test(k)).sort();
    expect(names).toEqual(['REPORTS_BUCKET_NAME', 'TRACKER_TABLE_NAME']);
    expect(env(key)).toEqual(expect.objectContaining({ TRACKER_TABLE_NAME: importValueOf('TrackerTable'), REPORTS_BUCKET_NAME: importValueOf('ReportsBucket'), OUTREACH_CONFIG_FILE: '/var/task/stage-config.json' }));
    const logGroups = Object.values(t.findResources('AWS::Logs::LogGroup')).filter((g) => g.Properties.LogGroupName === `/aws/lambda/${NAMES[key]}`);
    expect(logGroups.map((g) => g.Properties.KmsKeyId)).toEqual([importValueOf('Key')]);
  });

  test.each(['report', 'exportReplies'] as const)('THEN %s may only read the tracker: no write action on it, and no other table', (key) => {
    const dynamo = statementsOf(key).filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')));
    const actions = dynamo.flatMap((s) => asArray(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:BatchGetItem']));
    expect(actions.filter((a) => /Put|Update|Delete|Write|PartiQL|\*$/.test(a))).toEqual([]);
    expect(dynamo.flatMap((s) => asArray(s.Resource))).toEqual(expect.arrayContaining([importValueOf('TrackerTable')]));
    expect(JSON.stringify(dynamo.flatMap((s) => asArray(s.Resource)))).not.toMatch(/"\*"/);
  });

  test.each([
    ['report', OUTREACH_REPORTS_PREFIX],
    ['exportReplies', EXPORTS_PREFIX],
  ] as const)('THEN %s may only put objects under %s in the reports bucket: no read, no delete, no other prefix or bucket', (key, prefix) => {
    const s3 = statementsOf(key).filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:')));
    expect([...new Set(allowedActions(s3))].sort()).toEqual(['s3:Abort*', 's3:PutObject', 's3:PutObjectLegalHold', 's3:PutObjectRetention', 's3:PutObjectTagging', 's3:PutObjectVersionTagging']);
    expect(objectKeys(s3)).toEqual([`/${prefix}*`]);
    for (const r of s3.flatMap((s) => asArray(s.Resource)) as any[]) expect(JSON.stringify(r)).toContain('ReportsBucket');
    expect(prefix).toMatch(/^(reports|exports)\/$/);
  });

  test.each(['report', 'exportReplies'] as const)('THEN %s may do nothing but logs, tracing, the tracker, the stage key and its dead-letter queue besides', (key) => {
    const own = [...new Set(allowedActions(statementsOf(key)))].filter((a) => !/^(logs|xray|dynamodb|s3):/.test(a)).sort();
    expect(own).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKey*', 'kms:ReEncrypt*', 'sqs:SendMessage'].sort());
    const kms = statementsOf(key).filter((s) => asArray(s.Action).some((a) => a.startsWith('kms:')));
    // The key is the stage key, the one the tracker and the bucket are encrypted with.
    const keys = kms.flatMap((s) => asArray(s.Resource));
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k).toEqual(importValueOf('Key'));
  });

  test(`THEN a daily schedule in the daily group runs outreach-report at ${REPORT_HOUR_UTC}:${REPORT_MINUTE_UTC} UTC with input {}, retrying for 6 hours, then dead-lettering to the daily tasks' queue`, () => {
    const { Properties: p, DependsOn } = reportSchedule();
    expect(p).toEqual(
      expect.objectContaining({ GroupName: 'outreach-dev-schedules', ScheduleExpression: 'cron(0 13 * * ? *)', ScheduleExpressionTimezone: 'Etc/UTC', State: 'ENABLED', FlexibleTimeWindow: { Mode: 'OFF' } }),
    );
    expect(JSON.parse(p.Target.Input)).toEqual({});
    expect(p.Target.Arn).toEqual({ 'Fn::GetAtt': [fnId('report'), 'Arn'] });
    expect(p.Target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 21600, MaximumRetryAttempts: 185 });
    const queueId = p.Target.DeadLetterConfig.Arn['Fn::GetAtt'][0] as string;
    expect(queueId).toMatch(/^DailyTasksDeadLetterQueue/);
    expect(t.toJSON().Resources[queueId].Properties).toEqual(expect.objectContaining({ KmsMasterKeyId: importValueOf('Key') }));
    // Failed asynchronous invocations of either function land in the same queue.
    expect(fnProps('report').DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    expect(fnProps('exportReplies').DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    const groupId = Object.entries(t.findResources('AWS::Scheduler::ScheduleGroup')).find(([, g]) => g.Properties.Name === 'outreach-dev-schedules')![0];
    expect(DependsOn).toEqual(expect.arrayContaining([groupId]));
    // Nothing schedules the export.
    expect(Object.values(t.findResources('AWS::Scheduler::Schedule')).filter((s) => JSON.stringify(s).includes(fnId('exportReplies')))).toEqual([]);
  });

  test('THEN Scheduler, for the daily group only, may invoke outreach-report and nothing else, dead-letter to the daily tasks\' queue and use the stage key', () => {
    const p = reportSchedule().Properties;
    const roleId = p.Target.RoleArn['Fn::GetAtt'][0] as string;
    const report = fnId('report');
    expect(statementsOfRole(t, roleId)).toEqual(
      sameMembers([
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [{ 'Fn::GetAtt': [report, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [report, 'Arn'] }, ':*']] }] },
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [p.Target.DeadLetterConfig.Arn['Fn::GetAtt'][0], 'Arn'] } },
        { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: importValueOf('Key') },
      ]),
    );
    const groupId = Object.entries(t.findResources('AWS::Scheduler::ScheduleGroup')).find(([, g]) => g.Properties.Name === 'outreach-dev-schedules')![0];
    expect(t.toJSON().Resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': { 'Fn::GetAtt': [groupId, 'Arn'] } } },
      },
    ]);
  });
});
