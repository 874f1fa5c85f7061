import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { countOutcome } from '../../lambdas/adapters/outcome-metrics';
import { resetStageConfig } from '../../lambdas/adapters/settings';
import type { OutcomeMetric } from '../../lambdas/domain/outcome-metrics';
import { captureEmf } from '../support/emf';
import { allowedActions, functionLogicalId, SAMPLE_CONFIG_FILE, sampleConfig, statementsOfFunction, synthOutreach, type SynthesisedOutreach } from './support/outreach-app';

// Two synths (cdk-nag runs in each; any finding throws): the sample dev stage, and one with an
// alarm e-mail, other limits and a Connect instance the contact center stack creates.
let sample: SynthesisedOutreach;
let tuned: SynthesisedOutreach;
beforeAll(() => {
  sample = synthOutreach();
  tuned = synthOutreach(
    sampleConfig((raw) => {
      raw.observability = { alarmEmail: 'ops@example.org', importDueDay: 10, deliveryFailurePercent: 5, optOutsPerHour: 8, throttledLookupsPer5Min: 30, flagHours: 8 };
      raw.practices[1].contactCenter = { instanceAlias: 'lakeside-outreach', hours: { mon: { open: '09:00', close: '17:00' } } };
    }),
  );
});

const PRACTICES = ['sunrise-family', 'lakeside-pediatrics'];
const NAMESPACE = 'PatientOutreach/dev';

type Props = Record<string, any>;
/** A metric an alarm reads: where, which, with which dimensions, how aggregated. */
interface AlarmMetric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Record<string, unknown>;
  readonly stat: string;
  readonly period: number;
}

const alarmsOf = (t: Template): Record<string, Props> =>
  Object.fromEntries(Object.entries(t.findResources('AWS::CloudWatch::Alarm')).map(([id, r]) => [r.Properties.AlarmName as string, { ...r.Properties, logicalId: id }]));
const dimensionsOf = (list: Array<{ Name: string; Value: unknown }>) => Object.fromEntries(list.map((d) => [d.Name, d.Value]));
/** The metrics of an alarm: its one metric, or those its math expression uses. */
function metricsOf(alarm: Props): AlarmMetric[] {
  if (alarm.MetricName) return [{ namespace: alarm.Namespace, name: alarm.MetricName, dimensions: dimensionsOf(alarm.Dimensions), stat: alarm.Statistic, period: alarm.Period }];
  return (alarm.Metrics as Props[])
    .filter((m) => m.MetricStat)
    .map((m) => ({ namespace: m.MetricStat.Metric.Namespace, name: m.MetricStat.Metric.MetricName, dimensions: dimensionsOf(m.MetricStat.Metric.Dimensions), stat: m.MetricStat.Stat, period: m.MetricStat.Period }));
}
const expressionOf = (alarm: Props) => (alarm.Metrics as Props[]).find((m) => m.Expression)!;
/** How the alarm judges, without what it reads. */
const judgement = (alarm: Props) => ({
  threshold: alarm.Threshold,
  comparison: alarm.ComparisonOperator,
  evaluationPeriods: alarm.EvaluationPeriods,
  datapointsToAlarm: alarm.DatapointsToAlarm,
  treatMissingData: alarm.TreatMissingData,
});
/** The judgement most alarms here make: any occurrence in a period, no value meaning none. */
const ANY = { threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 1, datapointsToAlarm: undefined, treatMissingData: 'notBreaching' };
const outcome = (name: string, dimensions: Record<string, string>, stat: string, period: number): AlarmMetric => ({ namespace: NAMESPACE, name, dimensions: { service: 'patient-outreach', ...dimensions }, stat, period });

/** The dashboard body as JSON, each CloudFormation token left in place as its JSON text. */
function dashboardOf(t: Template): { widgets: Props[] } {
  const [dashboard] = Object.values(t.findResources('AWS::CloudWatch::Dashboard'));
  const parts = dashboard!.Properties.DashboardBody['Fn::Join'][1] as unknown[];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(JSON.stringify(p)).slice(1, -1))).join(''));
}
/** What a graph widget reads, as text: SEARCH expressions and `namespace metric dimension=value` lines. */
function graphed(widget: Props): string[] {
  return (widget.properties.metrics as unknown[][]).map((m) => {
    const last = m.at(-1) as Props;
    if (last?.expression) return last.expression as string;
    const [namespace, name, ...rest] = m.filter((x) => typeof x === 'string') as string[];
    const dims = [];
    for (let i = 0; i < rest.length; i += 2) dims.push(`${rest[i]}=${rest[i + 1]}`);
    return `${namespace} ${name} ${dims.join(' ')}`;
  });
}
const widgetTitled = (t: Template, title: string) => dashboardOf(t).widgets.find((w) => w.properties.title === title)!;

/** Publishes one count through the real adapter and reads back the EMF line's namespace and dimensions. */
async function emitted(name: string, dimensions: Record<string, string>) {
  process.env.OUTREACH_CONFIG_FILE = SAMPLE_CONFIG_FILE;
  resetStageConfig();
  const { counts } = await captureEmf(() => countOutcome(name as OutcomeMetric, dimensions as never));
  resetStageConfig();
  expect(counts).toHaveLength(1);
  return counts[0]!;
}

describe('GIVEN the sample stage WHEN the app is synthesised', () => {
  test('THEN each practice has its six alarms, each on that practice\'s own series, judged as configured', () => {
    const alarms = alarmsOf(sample.outreach);
    for (const practice of PRACTICES) {
      const named = (what: string) => alarms[`outreach-dev-${what}-${practice}`]!;

      expect(metricsOf(named('import-missing'))).toEqual([outcome('ImportMissing', { practice }, 'Maximum', 86400)]);
      expect(judgement(named('import-missing'))).toEqual({ ...ANY, treatMissingData: 'missing' });

      expect(metricsOf(named('import-failed'))).toEqual([outcome('ImportFailed', { practice }, 'Sum', 300)]);
      expect(judgement(named('import-failed'))).toEqual(ANY);

      const rate = named('delivery-failure-rate');
      expect(metricsOf(rate)).toEqual([outcome('DeliveryEvents', { practice, status: 'failed' }, 'Sum', 3600), outcome('DeliveryEvents', { practice, status: 'delivered' }, 'Sum', 3600)]);
      expect((rate.Metrics as Props[]).map((m) => m.Id)).toEqual(['expr_1', 'f', 'd']);
      expect(expressionOf(rate)).toMatchObject({ Expression: 'IF(FILL(f, 0) + FILL(d, 0) >= 20, 100 * FILL(f, 0) / (FILL(f, 0) + FILL(d, 0)), 0)', ReturnData: true });
      expect(judgement(rate)).toEqual({ ...ANY, threshold: 10, comparison: 'GreaterThanThreshold' });

      const optOuts = named('opt-out-spike');
      expect(metricsOf(optOuts)).toEqual(['sms', 'voice', 'all'].map((channel) => outcome('OptOuts', { practice, channel }, 'Sum', 3600)));
      expect(expressionOf(optOuts).Expression).toBe('FILL(m0, 0) + FILL(m1, 0) + FILL(m2, 0)');
      expect(judgement(optOuts)).toEqual({ ...ANY, threshold: 20 });

      const waiting = named('flags-waiting');
      expect(metricsOf(waiting)).toEqual([outcome('OldestFlagHours', { practice }, 'Maximum', 86400)]);
      expect(judgement(waiting)).toEqual({ ...ANY, threshold: 24, treatMissingData: 'missing' });
      expect(waiting.AlarmDescription).toContain(`outreach flags --practice ${practice}`);

      const outside = named('send-outside-window');
      expect(metricsOf(outside)).toEqual(['sms', 'voicemail', 'call'].map((channel) => outcome('SendOutsideWindow', { practice, channel }, 'Sum', 300)));
      expect(expressionOf(outside).Expression).toBe('FILL(m0, 0) + FILL(m1, 0) + FILL(m2, 0)');
      expect(judgement(outside)).toEqual(ANY);
    }
  });

  test('THEN flags that name no practice alarm too when the oldest has waited a day', () => {
    const waiting = alarmsOf(sample.outreach)['outreach-dev-flags-waiting-unmatched']!;
    expect(metricsOf(waiting)).toEqual([outcome('OldestFlagHours', { practice: 'unmatched' }, 'Maximum', 86400)]);
    expect(judgement(waiting)).toEqual({ ...ANY, threshold: 24, treatMissingData: 'missing' });
  });

  test('THEN sustained validation throttling alarms: 50 or more throttled lookups in each of three 5-minute periods', () => {
    const alarm = alarmsOf(sample.outreach)['outreach-dev-number-lookups-throttled']!;
    expect(metricsOf(alarm)).toEqual([outcome('NumberLookupsThrottled', {}, 'Sum', 300)]);
    expect(judgement(alarm)).toEqual({ ...ANY, threshold: 50, evaluationPeriods: 3, datapointsToAlarm: 3 });
  });

  test('THEN the first message in any dead-letter queue alarms, the import trigger\'s found by the name the import stack gives it', () => {
    const alarms = alarmsOf(sample.outreach);
    const queueOf = (id: string) => ({ 'Fn::GetAtt': [Object.keys(sample.outreach.findResources('AWS::SQS::Queue')).find((q) => q.startsWith(id))!, 'QueueName'] });
    const expected: Record<string, unknown> = {
      'daily-tasks': queueOf('DailyTasksDeadLetterQueue'),
      'do-not-call': queueOf('DoNotCallImportDeadLetterQueue'),
      appointments: queueOf('AppointmentDeadLetterQueue'),
      runs: queueOf('RunsDeadLetterQueue'),
      dispositions: queueOf('DispositionDeadLetterQueue'),
      'import-trigger': 'outreach-dev-import-trigger-dlq',
    };
    expect(Object.keys(alarms).filter((n) => n.startsWith('outreach-dev-dead-letters-')).sort()).toEqual(Object.keys(expected).map((n) => `outreach-dev-dead-letters-${n}`).sort());
    for (const [name, queue] of Object.entries(expected)) {
      const alarm = alarms[`outreach-dev-dead-letters-${name}`]!;
      expect(metricsOf(alarm)).toEqual([{ namespace: 'AWS/SQS', name: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: queue }, stat: 'Maximum', period: 300 }]);
      expect(judgement(alarm)).toEqual(ANY);
    }
    const [importQueueId] = Object.keys(sample.import.findResources('AWS::SQS::Queue', { Properties: { QueueName: 'outreach-dev-import-trigger-dlq' } }));
    expect(targetsOf(sample.import).map((target) => target.DeadLetterConfig)).toEqual([{ Arn: { 'Fn::GetAtt': [importQueueId, 'Arn'] } }]);
  });

  test('THEN a failed execution of the cadence, run or import workflow alarms, the import workflow found by its name', () => {
    const alarms = alarmsOf(sample.outreach);
    const machine = (t: Template, name: string) => Object.keys(t.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: name } }))[0];
    const expected: Record<string, unknown> = {
      cadence: { Ref: machine(sample.outreach, 'outreach-dev-cadence') },
      runs: { Ref: machine(sample.outreach, 'outreach-dev-runs') },
      import: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:us-east-1:', { Ref: 'AWS::AccountId' }, ':stateMachine:outreach-dev-import']] },
    };
    expect(machine(sample.import, 'outreach-dev-import')).toBeDefined();
    for (const [name, arn] of Object.entries(expected)) {
      const alarm = alarms[`outreach-dev-workflow-failed-${name}`]!;
      expect(metricsOf(alarm)).toEqual([{ namespace: 'AWS/States', name: 'ExecutionsFailed', dimensions: { StateMachineArn: arn }, stat: 'Sum', period: 300 }]);
      expect(judgement(alarm)).toEqual(ANY);
    }
  });

  test('THEN every alarm notifies the ops topic and only it, under a name the topic lets CloudWatch publish for', () => {
    const [topicId] = Object.keys(sample.outreach.findResources('AWS::SNS::Topic', { Properties: { TopicName: 'outreach-dev-ops-alarms' } }));
    const alarms = Object.values(alarmsOf(sample.outreach));
    expect(alarms).toHaveLength(PRACTICES.length * 6 + 1 + 1 + 6 + 3); // per practice, unmatched flags, throttling, DLQs, workflows
    for (const alarm of alarms) {
      expect({ name: alarm.AlarmName, actions: alarm.AlarmActions, ok: alarm.OKActions, insufficient: alarm.InsufficientDataActions }).toEqual({ name: alarm.AlarmName, actions: [{ Ref: topicId }], ok: undefined, insufficient: undefined });
      expect(alarm.AlarmName).toMatch(/^outreach-dev-/);
      expect(alarm.AlarmDescription.length).toBeGreaterThan(60);
    }
  });

  test('THEN the ops topic is encrypted with the stage key and refuses plain HTTP; CloudWatch may publish to it for this stage\'s alarms, and use the key for that topic only', () => {
    const topics = sample.outreach.findResources('AWS::SNS::Topic', { Properties: { TopicName: 'outreach-dev-ops-alarms' } });
    const [topicId] = Object.keys(topics);
    expect(topics[topicId!]!.Properties.KmsMasterKeyId).toEqual(expectImportOfDataKey());
    const [policy] = Object.values(sample.outreach.findResources('AWS::SNS::TopicPolicy', { Properties: { Topics: [{ Ref: topicId }] } }));
    const statements = policy!.Properties.PolicyDocument.Statement as Props[];
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        {
          Sid: 'CloudWatchAlarmsPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { Ref: topicId },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:us-east-1:', { Ref: 'AWS::AccountId' }, ':alarm:outreach-dev-*']] } },
          },
        },
      ]),
    );
    expect(statements.filter((s) => s.Effect === 'Allow')).toHaveLength(1);

    const [key] = Object.values(sample.data.findResources('AWS::KMS::Key'));
    const keyStatements = key!.Properties.KeyPolicy.Statement as Props[];
    expect(keyStatements.filter((s) => JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com'))).toEqual([
      {
        Sid: 'CloudWatchAlarmsPublishToEncryptedOpsTopic',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:us-east-1:', { Ref: 'AWS::AccountId' }, ':outreach-dev-ops-alarms']] } } },
      },
    ]);
  });

  test('THEN without alarmEmail nobody is subscribed by e-mail', () => {
    expect(sample.outreach.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } })).toEqual({});
  });

  test('THEN the dimension set each outcome alarm names is exactly the one the adapter publishes, in the namespace it publishes to', async () => {
    const read = Object.values(alarmsOf(sample.outreach))
      .flatMap(metricsOf)
      .filter((m) => m.namespace.startsWith('PatientOutreach'));
    expect(new Set(read.map((m) => m.name))).toEqual(new Set(['ImportMissing', 'ImportFailed', 'DeliveryEvents', 'OptOuts', 'OldestFlagHours', 'SendOutsideWindow', 'NumberLookupsThrottled']));
    for (const metric of read) {
      const { service, ...given } = metric.dimensions as Record<string, string>;
      const line = await emitted(metric.name, given);
      expect({ namespace: line.namespace, name: line.name, dimensions: line.dimensions }).toEqual({ namespace: metric.namespace, name: metric.name, dimensions: { service, ...given } });
    }
  });

  test('THEN the dashboard graphs each subject ops watch, with outcome series found by the exact dimension set the adapter publishes', async () => {
    const search = (name: string, dims: string, extra = '') => `SEARCH('{${NAMESPACE},${dims}} MetricName="${name}" service="patient-outreach"${extra}', 'Sum', 300)`;
    const expected: Record<string, string[]> = {
      'Imports and rejects (rows, by practice)': [
        search('RowsImported', 'practice,service'),
        search('RowsRejected', 'practice,service'),
        search('ImportFailed', 'practice,service'),
        `SEARCH('{${NAMESPACE},practice,service} MetricName="ImportMissing" service="patient-outreach"', 'Maximum', 86400)`,
      ],
      'Number lookups and throttles': [search('NumberLookups', 'practice,service'), search('NumberLookupFailures', 'practice,service'), `${NAMESPACE} NumberLookupsThrottled service=patient-outreach`],
      'Sends by channel': [search('MessagesSent', 'channel,practice,service'), search('SendOutsideWindow', 'channel,practice,service')],
      'Deliveries and failures': [search('DeliveryEvents', 'practice,service,status')],
      'Opt-outs': [search('OptOuts', 'channel,practice,service')],
      'Calls and dispositions': [search('MessagesSent', 'channel,practice,service', ' channel="call"'), search('Dispositions', 'code,practice,service')],
      Appointments: [search('AppointmentChanges', 'change,practice,service')],
      'Flags staff have not handled (daily)': ['UnhandledFlags', 'OldestFlagHours'].map((name) => `SEARCH('{${NAMESPACE},practice,service} MetricName="${name}" service="patient-outreach"', 'Maximum', 86400)`),
    };
    for (const [title, metrics] of Object.entries(expected)) expect({ title, metrics: graphed(widgetTitled(sample.outreach, title)) }).toEqual({ title, metrics });

    // Each SEARCH schema is the dimension set the adapter writes for that metric.
    const sampleValues: Record<string, string> = { practice: 'sunrise-family', channel: 'sms', status: 'failed', code: 'no-answer', change: 'book' };
    for (const expression of Object.values(expected).flat().filter((e) => e.startsWith('SEARCH'))) {
      const [, schema, name] = /^SEARCH\('\{([^}]+)\} MetricName="(\w+)"/.exec(expression)!;
      const [namespace, ...dims] = schema!.split(',');
      const line = await emitted(name!, Object.fromEntries(dims.filter((d) => d !== 'service').map((d) => [d, sampleValues[d]!])));
      expect({ name, namespace: line.namespace, dims: Object.keys(line.dimensions).sort() }).toEqual({ name, namespace, dims });
    }

    const machines = ['outreach-dev-cadence', 'outreach-dev-runs'].map((n) => Object.keys(sample.outreach.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: n } }))[0]);
    expect(graphed(widgetTitled(sample.outreach, 'Workflow failures'))).toEqual([
      `AWS/States ExecutionsFailed StateMachineArn=${JSON.stringify({ Ref: machines[0] })}`,
      `AWS/States ExecutionsFailed StateMachineArn=${JSON.stringify({ Ref: machines[1] })}`,
      expect.stringMatching(/^AWS\/States ExecutionsFailed StateMachineArn=.*:stateMachine:outreach-dev-import/),
    ]);
    expect(graphed(widgetTitled(sample.outreach, 'Dead-letter queue depth'))).toEqual([
      ...['DailyTasksDeadLetterQueue', 'DoNotCallImportDeadLetterQueue', 'AppointmentDeadLetterQueue', 'RunsDeadLetterQueue'].map((id) => expect.stringMatching(new RegExp(`^AWS/SQS ApproximateNumberOfMessagesVisible QueueName=.*"${id}\\w+","QueueName"`))),
      'AWS/SQS ApproximateNumberOfMessagesVisible QueueName=outreach-dev-import-trigger-dlq',
      expect.stringMatching(/^AWS\/SQS ApproximateNumberOfMessagesVisible QueueName=.*"DispositionDeadLetterQueue\w+","QueueName"/),
    ]);
    const alarmIds = Object.values(alarmsOf(sample.outreach)).map((a) => JSON.stringify({ 'Fn::GetAtt': [a.logicalId, 'Arn'] }));
    expect(new Set(widgetTitled(sample.outreach, 'Alarms').properties.alarms)).toEqual(new Set(alarmIds));
  });

  test('THEN import-watch runs every day at 06:00 UTC, retried, failures in the daily tasks\' dead-letter queue, and may only read the tracker', () => {
    const t = sample.outreach;
    const fnId = functionLogicalId(t, 'outreach-dev-import-watch');
    const queueId = Object.keys(t.findResources('AWS::SQS::Queue')).find((id) => id.startsWith('DailyTasksDeadLetterQueue'))!;
    const schedules = Object.values(t.findResources('AWS::Scheduler::Schedule', { Properties: { Name: 'outreach-dev-import-watch' } })).map((r) => r.Properties);
    expect(schedules).toEqual([
      expect.objectContaining({
        GroupName: 'outreach-dev-schedules',
        ScheduleExpression: 'cron(0 6 * * ? *)',
        ScheduleExpressionTimezone: 'Etc/UTC',
        State: 'ENABLED',
        Target: expect.objectContaining({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } }, RetryPolicy: { MaximumEventAgeInSeconds: 21600, MaximumRetryAttempts: 185 } }),
      }),
    ]);
    const fn = t.toJSON().Resources[fnId].Properties;
    expect(fn.Handler).toBe('index.handler');
    expect(fn.Environment.Variables).toEqual(expect.objectContaining({ TRACKER_TABLE_NAME: expect.anything(), POWERTOOLS_SERVICE_NAME: 'outreach-observability' }));
    const dynamo = allowedActions(statementsOfFunction(t, 'outreach-dev-import-watch')).filter((a) => a.startsWith('dynamodb:'));
    expect(dynamo.length).toBeGreaterThan(0);
    expect(dynamo.filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
  });

  test('THEN nothing of the dashboard, the alarms or the topic is excused from cdk-nag', () => {
    const excused = sample.stacks.outreach.observability.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map(() => c.node.path));
    expect(excused).toEqual([]);
  });
});

describe('GIVEN alarmEmail, other limits and a Connect instance the contact center stack creates', () => {
  test('THEN the address is subscribed by e-mail to the ops topic, once', () => {
    const [topicId] = Object.keys(tuned.outreach.findResources('AWS::SNS::Topic', { Properties: { TopicName: 'outreach-dev-ops-alarms' } }));
    expect(Object.values(tuned.outreach.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } })).map((s) => s.Properties)).toEqual([
      expect.objectContaining({ Endpoint: 'ops@example.org', TopicArn: { Ref: topicId } }),
    ]);
  });

  test('THEN the alarms use the configured limits', () => {
    const alarms = alarmsOf(tuned.outreach);
    for (const practice of PRACTICES) {
      expect(alarms[`outreach-dev-delivery-failure-rate-${practice}`]!.Threshold).toBe(5);
      expect(alarms[`outreach-dev-opt-out-spike-${practice}`]!.Threshold).toBe(8);
      expect(alarms[`outreach-dev-import-missing-${practice}`]!.AlarmDescription).toContain('day 10 (practice time) has passed');
      expect(alarms[`outreach-dev-flags-waiting-${practice}`]!.Threshold).toBe(8);
    }
    expect(alarms['outreach-dev-number-lookups-throttled']!.Threshold).toBe(30);
  });

  test('THEN the created instance\'s contact-event dead-letter queue alarms too, found by the name the contact center stack gives it', () => {
    const alarm = alarmsOf(tuned.outreach)['outreach-dev-dead-letters-connect-events']!;
    expect(metricsOf(alarm)).toEqual([{ namespace: 'AWS/SQS', name: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: 'outreach-dev-connect-events-dlq' }, stat: 'Maximum', period: 300 }]);
    const contactCenter = Template.fromJSON(tuned.assembly.getStackArtifact(tuned.stacks.contactCenter!.artifactId).template);
    const [queueId] = Object.keys(contactCenter.findResources('AWS::SQS::Queue', { Properties: { QueueName: 'outreach-dev-connect-events-dlq' } }));
    expect(targetsOf(contactCenter).map((target) => target.DeadLetterConfig)).toEqual([{ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } }]);
  });
});

describe('GIVEN a stage with more practices than one alarm status widget can show (it holds 100 alarms)', () => {
  // The sample's two practices and 23 more like lakeside-pediatrics: 150 practice alarms, plus the stage's own.
  const extra = Array.from({ length: 23 }, (_, i) => `clinic-${String(i + 1).padStart(2, '0')}`);
  let many: SynthesisedOutreach;
  beforeAll(() => {
    many = synthOutreach(
      sampleConfig((raw) => {
        const lakeside = raw.practices[1];
        raw.practices.push(...extra.map((id, i) => ({ ...structuredClone(lakeside), id, displayName: `Clinic ${i + 1}`, callbackNumber: `+1312555${String(1000 + i)}` })));
      }),
    );
  });

  test('THEN the alarms are split over as many status widgets as needed, each holding at most 100, every alarm in exactly one, a practice\'s alarms together', () => {
    const alarms = Object.values(alarmsOf(many.outreach));
    expect(alarms.length).toBeGreaterThan(150);
    const statusWidgets = dashboardOf(many.outreach).widgets.filter((w) => w.type === 'alarm');
    const count = Math.ceil(alarms.length / 96); // 16 whole practices (96 alarms) a widget
    expect(statusWidgets.map((w) => w.properties.title)).toEqual(Array.from({ length: count }, (_, i) => `Alarms (${i + 1} of ${count})`));
    for (const w of statusWidgets) expect(w.properties.alarms.length).toBeLessThanOrEqual(100);

    const shown = statusWidgets.flatMap((w) => w.properties.alarms as string[]);
    const arnOf = (a: Props) => JSON.stringify({ 'Fn::GetAtt': [a.logicalId, 'Arn'] });
    expect(shown.slice().sort()).toEqual(alarms.map(arnOf).sort());

    const widgetOf = (alarm: Props) => statusWidgets.findIndex((w) => (w.properties.alarms as string[]).includes(arnOf(alarm)));
    for (const practice of [...PRACTICES, ...extra]) {
      const own = alarms.filter((a) => (a.AlarmName as string).endsWith(`-${practice}`));
      expect({ practice, alarms: own.length, widgets: new Set(own.map(widgetOf)).size }).toEqual({ practice, alarms: 6, widgets: 1 });
    }
  });
});

/** The targets of every EventBridge rule of a stack. */
function targetsOf(t: Template): Props[] {
  return Object.values(t.findResources('AWS::Events::Rule')).flatMap((r) => r.Properties.Targets as Props[]);
}

function expectImportOfDataKey(): unknown {
  return { 'Fn::ImportValue': expect.stringMatching(/^Outreach-dev-Data:ExportsOutputFnGetAttKey/) };
}
