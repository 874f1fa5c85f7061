/**
 * Reports people read (issue 7), from the tracker, into the reports bucket:
 *
 *   - outreach-report (lambdas/handlers/outreach-report.ts): every day at 13:00 UTC (after every US practice's midnight, Hawaii's too, and before the East Coast's working day; after the
 *     06:00 daily files), each practice's report of the local day before the practice's date at
 *     that moment — so every day is reported once, complete — and on the practice's Mondays of
 *     the week before, as CSV and a self-contained HTML page under
 *     `reports/<practice>/<daily|weekly>/` (`all/` for a run asked for everything);
 *   - export-replies (lambdas/handlers/export-replies.ts): on request ({practiceId, from, to}),
 *     every reply of a practice's days from–to as CSV under `exports/<practice>/`.
 *
 * Both read the tracker and nothing else (read-only grant), and may put objects under their
 * own prefix of the reports bucket only (no read, no delete, no other prefix); the bucket and
 * the table are encrypted with the stage key, which the grants let them use for exactly that.
 * The daily schedule lives in the stage's daily-task group, invoked with a role that may
 * invoke outreach-report and nothing else; what Scheduler cannot deliver, and invocations that
 * failed after Lambda's retries, land in the daily tasks' dead-letter queue (as the other daily
 * files' do, so its alarm covers them).
 */
import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, iamWildcardResourceFinding } from '../compliance';
import { EXPORTS_PREFIX, OUTREACH_REPORTS_PREFIX, resourceName } from '../naming';
import type { OutreachFunction, OutreachFunctionProps } from './outreach-function';

export { EXPORTS_PREFIX, OUTREACH_REPORTS_PREFIX };
/** The daily report runs at 13:00 UTC: every US practice's yesterday is over (Hawaii's at 10:00 UTC) and it is ready before 08:00 Eastern. */
export const REPORT_HOUR_UTC = 13;
export const REPORT_MINUTE_UTC = 0;

/** Makes a house function (lib/constructs/outreach-function.ts) in the stack, as the stack's other functions are made. */
export type MakeReportFunction = (
  id: string,
  file: string,
  name: string,
  serviceName: string,
  extra: Pick<OutreachFunctionProps, 'timeout' | 'description' | 'deadLetterQueue' | 'memorySize' | 'reservedConcurrentExecutions'>,
) => OutreachFunction;

export interface ReportsProps {
  readonly stage: string;
  /** The stage key: the schedule role's use of the dead-letter queue. */
  readonly key: kms.IKey;
  readonly trackerTable: dynamodb.ITable;
  readonly reportsBucket: s3.IBucket;
  /** The stage's group of daily schedules (postcard manifest, hand-off file, flag digest). */
  readonly scheduleGroup: scheduler.IScheduleGroup;
  readonly makeFunction: MakeReportFunction;
  /** The daily tasks' dead-letter queue (encrypted with the stage key): runs Scheduler could not deliver, invocations that failed after Lambda's retries. */
  readonly deadLetterQueue: sqs.IQueue;
}

export class Reports extends Construct {
  /** Writes each practice's outreach report (daily, and weekly on Mondays). */
  public readonly reportFunction: OutreachFunction;
  /** Writes the replies of a practice's date range, on request. */
  public readonly exportRepliesFunction: OutreachFunction;
  /** Runs the report every day at 13:00 UTC. */
  public readonly schedule: scheduler.Schedule;
  /** The role Scheduler invokes the report with. */
  public readonly schedulerRole: iam.Role;
  /** Report runs Scheduler could not deliver, and report or export invocations that failed after Lambda's retries (the daily tasks' queue). */
  public readonly deadLetterQueue: sqs.IQueue;

  constructor(scope: Construct, id: string, props: ReportsProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.deadLetterQueue = props.deadLetterQueue;
    this.reportFunction = props
      .makeFunction('OutreachReport', 'outreach-report.ts', 'outreach-report', 'outreach-reports', {
        description: 'Writes each practice\'s outreach report (funnel, steps, A/B variants, dispositions, opt-outs, flags, imports) as CSV and HTML, once a day',
        // One query per person of every practice, a bounded number at a time: the long timeout and the CPU of 1 GB.
        timeout: Duration.minutes(15),
        memorySize: 1024,
        // One writer at a time: a retried or late run never doubles the read load on the tracker.
        reservedConcurrentExecutions: 1,
        deadLetterQueue: this.deadLetterQueue,
      })
      .bindTrackerTable(props.trackerTable, 'read')
      .bindReportsBucket(props.reportsBucket, 'write', OUTREACH_REPORTS_PREFIX);
    this.exportRepliesFunction = props
      .makeFunction('ExportReplies', 'export-replies.ts', 'export-replies', 'outreach-reports', {
        description: 'Writes every reply a practice received between two of its days as CSV, on request',
        timeout: Duration.minutes(15),
        // Exports are rare: one at a time keeps a full pass over the tracker from running twice at once.
        reservedConcurrentExecutions: 1,
        deadLetterQueue: this.deadLetterQueue,
      })
      .bindTrackerTable(props.trackerTable, 'read')
      .bindReportsBucket(props.reportsBucket, 'write', EXPORTS_PREFIX);

    // An own role, so it sits beside the schedule and carries its acknowledgements; Scheduler assumes it for the daily group only.
    this.schedulerRole = new iam.Role(this, 'ReportScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': props.scheduleGroup.scheduleGroupArn } },
      }),
      description: 'EventBridge Scheduler invokes outreach-report daily',
    });
    // Scheduler writes undeliverable runs to the encrypted queue with this role.
    props.key.grant(this.schedulerRole, 'kms:GenerateDataKey', 'kms:Decrypt');
    const time = `${String(REPORT_HOUR_UTC).padStart(2, '0')}:${String(REPORT_MINUTE_UTC).padStart(2, '0')}`;
    this.schedule = new scheduler.Schedule(this, 'DailyOutreachReport', {
      scheduleName: resourceName(props.stage, 'outreach-report'),
      description: `Runs outreach-report at ${time} UTC every day: each practice's day before, and on Mondays its week before`,
      scheduleGroup: props.scheduleGroup,
      schedule: scheduler.ScheduleExpression.cron({ minute: String(REPORT_MINUTE_UTC), hour: String(REPORT_HOUR_UTC), timeZone: TimeZone.ETC_UTC }),
      target: new schedulerTargets.LambdaInvoke(this.reportFunction.function, {
        role: this.schedulerRole,
        // Every practice, the default periods (yesterday; on a Monday the week before too).
        input: scheduler.ScheduleTargetInput.fromObject({}),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(6),
      }),
    });
    // The schedule names its group by name (no reference), so the order is stated.
    this.schedule.node.addDependency(props.scheduleGroup);

    acknowledge(this.schedulerRole, iamWildcardResourceFinding(stack, `${this.reportFunction.functionArn}:*`), 'CDK invoke grant: the unqualified outreach-report function plus its versions/aliases (":*"); nothing else.');
    acknowledge(
      this.schedulerRole,
      'HIPAA.Security-IAMNoInlinePolicy',
      "CDK's per-role policy of the report schedule role: invoke outreach-report, send to the daily tasks' dead-letter queue and use the stage key for that queue; attached to this role only.",
    );
    for (const fn of [this.reportFunction, this.exportRepliesFunction]) {
      acknowledge(
        fn,
        'HIPAA.Security-LambdaInsideVPC',
        'Reaches only AWS public service endpoints (DynamoDB, S3) over TLS with IAM; there is no VPC resource to reach, and a VPC would add NAT/endpoint cost without narrowing access.',
      );
    }
  }
}
