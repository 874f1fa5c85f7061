/**
 * The ops view of one stage: a CloudWatch dashboard and the alarms, which notify one SNS
 * topic (encrypted with the stage key; e-mailed to `observability.alarmEmail` when set).
 *
 * How metrics are addressed. The outcome metrics (lambdas/domain/outcome-metrics.ts) are
 * published under the stage's namespace with the fixed service `patient-outreach`, whatever
 * function counts them, so:
 * - the dashboard graphs them with SEARCH over their exact dimension set
 *   (`{PatientOutreach/<stage>,practice,service}`), which picks up every practice's series;
 * - alarms cannot search, so each names its metrics exactly, one alarm per practice from the
 *   stage config, with metric math where a practice's series are summed (channels) or divided
 *   (the failure rate).
 * AWS metrics (Step Functions executions, SQS queue depth) are addressed by the resources'
 * names; the import workflow and the dead-letter queues of stacks that deploy after this one
 * are passed in by name (naming.ts), so no reference points back at them.
 *
 * Alarm names start with `outreach-<stage>-`: the topic lets CloudWatch publish for those only.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OUTCOME_METRICS, OUTCOME_SERVICE, outcomeNamespace, type OutcomeDimensions, type OutcomeMetric } from '../../lambdas/domain/outcome-metrics';
import type { StageConfig } from '../../lambdas/domain/stage-config';
import { resourceName } from '../naming';
import { UNMATCHED } from '../../lambdas/domain/flag-digest';

/** A practice's delivery failure rate is judged only on an hour with at least this many outcomes (one failure of two is not a trend). */
export const MIN_DELIVERY_OUTCOMES_PER_HOUR = 20;

/** CloudWatch's alarm status widget shows at most this many alarms (PutDashboard refuses more). */
export const ALARMS_PER_STATUS_WIDGET = 100;

export interface ObservabilityProps {
  readonly config: StageConfig;
  /** The stage key: encrypts the ops topic; its policy gets a statement letting CloudWatch use it for that topic only. */
  readonly key: kms.IKey;
  /** Workflows whose failed executions alarm, by a short name used in alarm names and graphs. */
  readonly workflows: Readonly<Record<string, sfn.IStateMachine>>;
  /** Dead-letter queues that alarm when anything lands in them, by a short name. */
  readonly deadLetterQueues: Readonly<Record<string, sqs.IQueue>>;
}

export class Observability extends Construct {
  /** Every alarm notifies this topic; subscribe a pager or chat to it. */
  public readonly topic: sns.Topic;
  public readonly dashboard: cloudwatch.Dashboard;
  /** The alarms by construct id. */
  public readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;

  private readonly namespace: string;
  private readonly stage: string;
  private readonly made: Record<string, cloudwatch.Alarm> = {};

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { config } = props;
    const limits = config.observability;
    this.stage = config.stage;
    this.namespace = outcomeNamespace(config.stage);
    this.topic = this.opsTopic(props.key, limits.alarmEmail);

    // Per practice: alarms cannot search, so each names the practice's own series.
    for (const { id: practice } of config.practices) {
      this.alarm(`ImportMissing-${practice}`, {
        metric: this.outcome('ImportMissing', { practice }, 'Maximum', Duration.days(1)),
        ...ANY_OCCURRENCE,
        // import-watch publishes 0 or 1 every day: no value means it did not run, which is
        // not a missing file (INSUFFICIENT_DATA shows it; its failures land in the daily tasks' DLQ).
        treatMissingData: cloudwatch.TreatMissingData.MISSING,
        description: `No import file from ${practice} this month, and day ${limits.importDueDay} (practice time) has passed. Call the practice for the file; drop it under inbox/${practice}/.`,
      });
      this.alarm(`ImportFailed-${practice}`, {
        metric: this.outcome('ImportFailed', { practice }, 'Sum', Duration.minutes(5)),
        ...ANY_OCCURRENCE,
        description: `An import of ${practice} failed. Read imports/${practice}/<import>/summary.json in the reports bucket (the cause in plain words), fix the file or the cause, upload it again.`,
      });
      const failed = this.outcome('DeliveryEvents', { practice, status: 'failed' }, 'Sum', Duration.hours(1));
      const delivered = this.outcome('DeliveryEvents', { practice, status: 'delivered' }, 'Sum', Duration.hours(1));
      this.alarm(`DeliveryFailureRate-${practice}`, {
        metric: new cloudwatch.MathExpression({
          expression: `IF(FILL(f, 0) + FILL(d, 0) >= ${MIN_DELIVERY_OUTCOMES_PER_HOUR}, 100 * FILL(f, 0) / (FILL(f, 0) + FILL(d, 0)), 0)`,
          usingMetrics: { f: failed, d: delivered },
          period: Duration.hours(1),
          label: `${practice} delivery failures (%)`,
        }),
        threshold: limits.deliveryFailurePercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // No messages, no failures: an hour without delivery events is fine.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `More than ${limits.deliveryFailurePercent}% of ${practice}'s delivery outcomes in an hour were failures (at least ${MIN_DELIVERY_OUTCOMES_PER_HOUR} outcomes). Check the number's registration (10DLC, toll-free verification) and carrier filtering in End User Messaging.`,
      });
      this.alarm(`OptOutSpike-${practice}`, {
        metric: this.sumOf(`${practice} opt-outs`, Duration.hours(1), (['sms', 'voice', 'all'] as const).map((channel) => this.outcome('OptOuts', { practice, channel }, 'Sum', Duration.hours(1)))),
        threshold: limits.optOutsPerHour,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `${limits.optOutsPerHour} or more people of ${practice} opted out within an hour. Look at what was sent in the last hours (a wrong template, a broadcast to the wrong segment); pause it.`,
      });
      this.flagsWaiting(practice, limits.flagHours);
      this.alarm(`SendOutsideWindow-${practice}`, {
        metric: this.sumOf(`${practice} sends held outside the window`, Duration.minutes(5), (['sms', 'voicemail', 'call'] as const).map((channel) => this.outcome('SendOutsideWindow', { practice, channel }, 'Sum', Duration.minutes(5)))),
        ...ANY_OCCURRENCE,
        description: `A message to a person of ${practice} reached the provider call outside the recipient's send window and was held back. Nothing was sent, but the planner let it through: raise a bug with the time and the step (function logs).`,
      });
    }

    const perPractice = Object.keys(this.made).length / config.practices.length;
    // Flags that name no practice wait for someone too.
    this.flagsWaiting(UNMATCHED, limits.flagHours);
    this.alarm('NumberLookupsThrottled', {
      metric: this.outcome('NumberLookupsThrottled', {}, 'Sum', Duration.minutes(5)),
      threshold: limits.throttledLookupsPer5Min,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description: `PhoneNumberValidate throttled ${limits.throttledLookupsPer5Min} or more lookups in each of 15 minutes. Another workload shares the account's limit: lower validation.ratePerSecond or ask AWS for more.`,
    });
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.alarm(`DeadLetters-${name}`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) }),
        ...ANY_OCCURRENCE,
        // SQS stops reporting an empty queue nobody touches for six hours; a queue holding
        // messages counts as active and keeps reporting, so no value means empty.
        description: `Messages are waiting in the ${name} dead-letter queue: events or runs that failed after every retry. Read them, fix the cause, then redrive or delete them.`,
      });
    }
    for (const [name, workflow] of Object.entries(props.workflows)) {
      this.alarm(`WorkflowFailed-${name}`, {
        metric: workflow.metricFailed({ statistic: 'Sum', period: Duration.minutes(5) }),
        ...ANY_OCCURRENCE,
        description: `An execution of the ${name} workflow failed. Find it in the Step Functions console (failed executions): its RecordFailure step says why; re-drive it once fixed.`,
      });
    }
    this.alarms = this.made;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: resourceName(config.stage, 'outreach') });
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) => new cloudwatch.GraphWidget({ title, left, right, width: 12, height: 6 });
    // Six alarms per practice: a stage of more than about 16 practices needs more than one
    // status widget. Each practice's alarms come in a row, and a widget holds whole practices.
    const statusGroups = chunks(Object.values(this.made), Math.floor(ALARMS_PER_STATUS_WIDGET / perPractice) * perPractice);
    statusGroups.forEach((alarms, i) => {
      const title = statusGroups.length === 1 ? 'Alarms' : `Alarms (${i + 1} of ${statusGroups.length})`;
      this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title, alarms, width: 24, height: 4 }));
    });
    this.dashboard.addWidgets(
      graph('Imports and rejects (rows, by practice)', [this.search('RowsImported'), this.search('RowsRejected')], [this.search('ImportFailed'), this.search('ImportMissing', 'Maximum')]),
      graph('Number lookups and throttles', [this.search('NumberLookups'), this.search('NumberLookupFailures')], [this.outcome('NumberLookupsThrottled', {}, 'Sum', Duration.minutes(5))]),
    );
    this.dashboard.addWidgets(
      graph('Sends by channel', [this.search('MessagesSent')], [this.search('SendOutsideWindow')]),
      graph('Deliveries and failures', [this.search('DeliveryEvents')]),
    );
    this.dashboard.addWidgets(
      graph('Opt-outs', [this.search('OptOuts')]),
      graph('Calls and dispositions', [this.search('MessagesSent', 'Sum', 'channel="call"')], [this.search('Dispositions')]),
    );
    this.dashboard.addWidgets(
      graph('Appointments', [this.search('AppointmentChanges')]),
      graph('Workflow failures', Object.entries(props.workflows).map(([name, w]) => w.metricFailed({ statistic: 'Sum', period: Duration.minutes(5), label: name }))),
    );
    this.dashboard.addWidgets(
      graph('Dead-letter queue depth', Object.entries(props.deadLetterQueues).map(([name, q]) => q.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5), label: name }))),
      graph('Flags staff have not handled (daily)', [this.search('UnhandledFlags', 'Maximum')], [this.search('OldestFlagHours', 'Maximum')]),
    );
  }

  /** One outcome metric with its exact dimensions (as the adapter publishes them: `service` plus the metric's own). */
  private outcome<M extends OutcomeMetric>(name: M, dimensions: OutcomeDimensions<M>, statistic: string, period: Duration): cloudwatch.Metric {
    return new cloudwatch.Metric({ namespace: this.namespace, metricName: name, dimensionsMap: { service: OUTCOME_SERVICE, ...(dimensions as Record<string, string>) }, statistic, period });
  }

  /** Every series of an outcome metric (all practices, channels, …), for the dashboard. */
  private search(name: OutcomeMetric, statistic = 'Sum', filter = ''): cloudwatch.MathExpression {
    const schema = [this.namespace, ...[...OUTCOME_METRICS[name], 'service'].sort()].join(',');
    const query = `{${schema}} MetricName="${name}" service="${OUTCOME_SERVICE}"${filter ? ` ${filter}` : ''}`;
    const period = statistic === 'Maximum' ? Duration.days(1) : Duration.minutes(5);
    return new cloudwatch.MathExpression({ expression: `SEARCH('${query}', '${statistic}', ${period.toSeconds()})`, usingMetrics: {}, period, label: '' });
  }

  /** The sum of a practice's series (missing ones count 0), as one alarm metric. */
  private sumOf(label: string, period: Duration, metrics: cloudwatch.Metric[]): cloudwatch.MathExpression {
    const usingMetrics = Object.fromEntries(metrics.map((m, i) => [`m${i}`, m]));
    return new cloudwatch.MathExpression({ expression: Object.keys(usingMetrics).map((k) => `FILL(${k}, 0)`).join(' + '), usingMetrics, period, label });
  }

  /** The oldest unhandled flag of `practice` (or of `unmatched`) is `hours` old: the daily digest's OldestFlagHours. */
  private flagsWaiting(practice: string, hours: number): void {
    this.alarm(`FlagsWaiting-${practice}`, {
      metric: this.outcome('OldestFlagHours', { practice }, 'Maximum', Duration.days(1)),
      threshold: hours,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // flag-digest publishes every day; no value means it did not run (its failures reach the daily tasks' DLQ).
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
      description: `A flag of ${practice} (a reply no rule answers, a disposition that could not be applied) has waited ${hours} hours or more: a person may have asked to stop in words no rule knew. List them with \`outreach flags --practice ${practice}\` (or the staff API), deal with each, mark it handled.`,
    });
  }

  private alarm(id: string, props: Omit<cloudwatch.AlarmProps, 'alarmName' | 'alarmDescription'> & { readonly description: string }): void {
    const { description, ...rest } = props;
    const alarm = new cloudwatch.Alarm(this, id, { ...rest, alarmName: resourceName(this.stage, id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()), alarmDescription: description });
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.topic));
    this.made[id] = alarm;
  }

  private opsTopic(key: kms.IKey, email: string | undefined): sns.Topic {
    const stack = Stack.of(this);
    const topicName = resourceName(this.stage, 'ops-alarms');
    const topic = new sns.Topic(this, 'OpsTopic', { topicName, displayName: `Patient Outreach ${this.stage}: alarms`, masterKey: key, enforceSSL: true });
    // CloudWatch publishes as a service principal: the topic lets it in for this stage's alarms only.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: resourceName(this.stage, '*'), arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        },
      }),
    );
    // ...and SNS encrypts what CloudWatch publishes with the stage key, on CloudWatch's behalf.
    // The statement lands in the data stack's key policy; it names the topic by its ARN built
    // from the name, so no reference points back at this stack.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedOpsTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': stack.formatArn({ service: 'sns', resource: topicName, arnFormat: ArnFormat.NO_RESOURCE_NAME }) } },
      }),
    );
    if (email) topic.addSubscription(new subscriptions.EmailSubscription(email));
    return topic;
  }
}

/** `items` in order, cut into runs of at most `size`. */
function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Any occurrence in a period alarms; no value means nothing happened (these are counts of events). */
const ANY_OCCURRENCE = {
  threshold: 1,
  comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  evaluationPeriods: 1,
  treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
} as const;
