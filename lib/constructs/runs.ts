/**
 * Broadcasts and date-relative campaigns ("runs"): the run workflow
 * (statemachines/run.asl.json) and its three task functions, run-start (which starts a run
 * once per trigger), and the EventBridge Scheduler schedules that start runs by themselves:
 *
 *   - every campaign: a daily schedule at 05:00 in its practice's time zone (before any
 *     campaign's send time), input {"start":"campaigns","only":"<campaign>"};
 *   - every broadcast with `at`: a one-time schedule at that instant (UTC), input
 *     {"start":"broadcast","practiceId","name","trigger":"<at>"}. A broadcast without `at`
 *     is started by staff (the staff API) or the CLI, never by a schedule.
 *
 * The schedules live in their own group, invoked with a role that may invoke run-start and
 * nothing else; what Scheduler cannot deliver, and run-start invocations that failed after
 * Lambda's retries, land in the runs' dead-letter queue.
 *
 * run-send sends exactly like the cadence's send-sms and drop-voicemail (End User Messaging
 * texts and voice messages, Connect for practices with a voicemail flow), so it gets the
 * same grants those two get, through the same bindX helpers.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { Duration, Stack, TimeZone, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Broadcast } from '../../lambdas/domain/broadcast';
import type { Campaign } from '../../lambdas/domain/campaign';
import { findPractice, type StageConfig } from '../../lambdas/domain/stage-config';
import { acknowledge, iamWildcardResourceFinding } from '../compliance';
import { resourceName } from '../naming';
import type { MakeFunction } from './appointment-desk';
import type { OutreachFunction, SendingResources } from './outreach-function';
import { outreachWorkflow } from './workflow';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const RUN_WORKFLOW_DEFINITION = path.join(REPO_ROOT, 'statemachines', 'run.asl.json');

/** The run workflow's tasks; each key is the `${<Key>FunctionArn}` placeholder of the ASL. */
export type RunTask = 'PlanShard' | 'SendDue' | 'RecordFailure';

/** Campaigns' daily runs start at this hour, in the practice's time zone: before any campaign's local send time. */
export const CAMPAIGN_START_HOUR_LOCAL = 5;

/** Scheduler schedule names: at most 64 characters. */
const MAX_SCHEDULE_NAME = 64;

/** What run-start is invoked with (lambdas/handlers/run-start.ts). */
export type RunStartInput = { readonly start: 'campaigns'; readonly only: string } | { readonly start: 'broadcast'; readonly practiceId: string; readonly name: string; readonly trigger: string };

export interface RunsProps {
  readonly config: StageConfig;
  /** The stage key: the workflow's log group, the schedules, the dead-letter queue. */
  readonly key: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  readonly trackerTable: dynamodb.ITable;
  /** Origination identities, configuration set and opt-out list run-send uses. */
  readonly messaging: SendingResources;
  readonly makeFunction: MakeFunction;
  readonly deadLetterQueue: (id: string, of: string) => sqs.Queue;
}

export class Runs extends Construct {
  /** The run workflow: one execution per run (started by run-start and the staff API). */
  public readonly stateMachine: sfn.StateMachine;
  /** The run workflow's functions by task. */
  public readonly taskFunctions: Readonly<Record<RunTask, OutreachFunction>>;
  /** Starts broadcast and campaign runs (the schedules' target). */
  public readonly startFunction: OutreachFunction;
  /** Where the campaigns' daily and the broadcasts' one-time schedules live. */
  public readonly scheduleGroup: scheduler.ScheduleGroup;
  /** The role Scheduler invokes run-start with, for this group's schedules only. */
  public readonly schedulerRole: iam.Role;
  /** Schedules Scheduler could not deliver, and run-start invocations that failed after Lambda's retries. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Campaign name → its daily schedule. */
  public readonly campaignSchedules: Readonly<Record<string, scheduler.Schedule>>;
  /** Broadcast name → its one-time schedule (broadcasts with `at` only). */
  public readonly broadcastSchedules: Readonly<Record<string, scheduler.Schedule>>;

  constructor(scope: Construct, id: string, props: RunsProps) {
    super(scope, id);
    const { config } = props;
    const stage = config.stage;

    const task = (constructId: string, file: string, name: string, description: string, timeout: Duration) =>
      props.makeFunction(constructId, file, name, 'outreach-runs', { description, timeout }).bindTrackerTable(props.trackerTable, 'readWrite');
    // Each timeout equals the TimeoutSeconds of the Task that calls the function in the ASL.
    const planShard = task('RunPlanShard', 'run-plan.ts', 'run-plan', 'Queues the members of a broadcast or campaign run from one roster shard, once', Duration.seconds(300));
    const sendDue = task(
      'RunSendDue',
      'run-send.ts',
      'run-send',
      'Sends a run\'s messages that are due (texts, voicemails), paced, each exactly once; stops within a second of a cancellation',
      Duration.minutes(15),
    )
      .allowSendText(props.messaging)
      .allowSendVoice(props.messaging);
    // Voicemails go through Connect (waiting for the beep) only for practices with a voicemail flow, as drop-voicemail's do.
    for (const instance of new Set(config.practices.filter((p) => p.contactCenter?.voicemailFlowId && p.contactCenter.instanceId).map((p) => p.contactCenter!.instanceId!))) {
      sendDue.allowOutboundCall(instance);
    }
    // Instances the ContactCenter stack creates: their ids come from its parameter (that stack grants the calls).
    if (config.practices.some((p) => p.contactCenter?.instanceAlias)) sendDue.allowReadCreatedContactCenters(stage);
    const recordFailure = task('RunRecordFailure', 'run-fail.ts', 'run-fail', 'Marks a broadcast or campaign run failed with the error of the task that failed', Duration.seconds(60));
    this.taskFunctions = { PlanShard: planShard, SendDue: sendDue, RecordFailure: recordFailure };

    this.stateMachine = outreachWorkflow(this, 'RunWorkflow', {
      stateMachineName: resourceName(stage, 'runs'),
      definitionFile: RUN_WORKFLOW_DEFINITION,
      functions: Object.fromEntries(Object.entries(this.taskFunctions).map(([name, fn]) => [`${name}FunctionArn`, fn])),
      key: props.key,
      removalPolicy: props.removalPolicy,
      owner: 'Runs (lib/constructs/runs.ts)',
      describe: 'invoke on the three run task functions, tracing and log delivery',
    });

    this.deadLetterQueue = props.deadLetterQueue('RunsDeadLetterQueue', 'broadcast and campaign schedules');
    this.startFunction = props
      .makeFunction('RunStart', 'run-start.ts', 'run-start', 'outreach-runs', {
        description: 'Starts a broadcast\'s run, or the day\'s run of each campaign, once per trigger',
        // A run above broadcasting.confirmAbove is counted first (the whole segment) before it is refused.
        timeout: Duration.minutes(5),
        deadLetterQueue: this.deadLetterQueue,
      })
      .bindTrackerTable(props.trackerTable, 'readWrite')
      .bindRunWorkflow(this.stateMachine);

    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'RunScheduleGroup', { scheduleGroupName: resourceName(stage, 'runs') });
    this.schedulerRole = new iam.Role(this, 'RunSchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account, 'aws:SourceArn': this.scheduleGroup.scheduleGroupArn } },
      }),
      description: 'EventBridge Scheduler invokes run-start for the broadcast and campaign schedules',
    });
    // Scheduler writes undeliverable invocations to the encrypted queue with this role, and decrypts the schedules' input with it.
    props.key.grant(this.schedulerRole, 'kms:GenerateDataKey', 'kms:Decrypt');

    const campaignSchedules: Record<string, scheduler.Schedule> = {};
    for (const campaign of config.campaigns) campaignSchedules[campaign.name] = this.campaignSchedule(campaign, props);
    this.campaignSchedules = campaignSchedules;
    const broadcastSchedules: Record<string, scheduler.Schedule> = {};
    for (const broadcast of config.broadcasts) {
      if (broadcast.at !== undefined) broadcastSchedules[broadcast.name] = this.broadcastSchedule(broadcast, broadcast.at, props);
    }
    this.broadcastSchedules = broadcastSchedules;

    this.acknowledgeFindings();
  }

  /** The campaign's daily run, at 05:00 in its practice's time zone (daylight saving time followed by Scheduler). */
  private campaignSchedule(campaign: Campaign, props: RunsProps): scheduler.Schedule {
    const practice = findPractice(props.config, campaign.practice);
    if (!practice) throw new Error(`campaign ${campaign.name}: no practice "${campaign.practice}" in the stage config`);
    const hour = String(CAMPAIGN_START_HOUR_LOCAL).padStart(2, '0');
    return this.schedule(`Campaign-${campaign.name}`, props, {
      name: `campaign-${campaign.name}`,
      description: `Starts the day's run of campaign ${campaign.name} (${practice.id}) at ${hour}:00 ${practice.timeZone}`,
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: String(CAMPAIGN_START_HOUR_LOCAL), timeZone: TimeZone.of(practice.timeZone) }),
      input: { start: 'campaigns', only: campaign.name },
    });
  }

  /**
   * The broadcast's one-time start at `at` (read in UTC). The trigger is the configured `at`
   * as written, so the run id is the one a staff start with the same `at` gets.
   *
   * CloudFormation's AWS::Scheduler::Schedule has no ActionAfterCompletion: the schedule
   * stays (completed, never firing again) until the broadcast leaves the stage config, when
   * the next deploy deletes it. Scheduler deleting it by itself would take a resource from
   * under CloudFormation.
   */
  private broadcastSchedule(broadcast: Broadcast, at: string, props: RunsProps): scheduler.Schedule {
    const when = new Date(at);
    if (Number.isNaN(when.getTime())) throw new Error(`broadcast ${broadcast.name}: "${at}" is not a time`);
    return this.schedule(`Broadcast-${broadcast.name}`, props, {
      name: `broadcast-${broadcast.name}`,
      description: `Starts broadcast ${broadcast.name} (${broadcast.practice}) at ${at}`,
      // at(yyyy-mm-ddThh:mm:ss) in UTC; the workflow itself waits for the exact instant.
      schedule: scheduler.ScheduleExpression.at(when, TimeZone.ETC_UTC),
      input: { start: 'broadcast', practiceId: broadcast.practice, name: broadcast.name, trigger: at },
    });
  }

  private schedule(id: string, props: RunsProps, s: { name: string; description: string; schedule: scheduler.ScheduleExpression; input: RunStartInput }): scheduler.Schedule {
    const schedule = new scheduler.Schedule(this, id, {
      scheduleName: scheduleName(props.config.stage, s.name),
      description: s.description.slice(0, 512),
      scheduleGroup: this.scheduleGroup,
      schedule: s.schedule,
      key: props.key,
      target: new schedulerTargets.LambdaInvoke(this.startFunction.function, {
        role: this.schedulerRole,
        input: scheduler.ScheduleTargetInput.fromObject(s.input),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(6),
      }),
    });
    // The schedule names its group by name (no reference), so the order is stated.
    schedule.node.addDependency(this.scheduleGroup);
    return schedule;
  }

  private acknowledgeFindings(): void {
    const stack = Stack.of(this);
    for (const fn of Object.values(this.taskFunctions)) {
      acknowledge(
        fn,
        'HIPAA.Security-LambdaDLQ',
        'Invoked synchronously by the run workflow only; failures return to the workflow, whose Retry/Catch records them on the run (RecordFailure). A Lambda DLQ applies to asynchronous invocations and would never receive anything.',
      );
      acknowledge(
        fn,
        'HIPAA.Security-LambdaConcurrency',
        'Only the run workflow invokes it. Send rates are paced per origination identity by the pacer in the tracker, not by concurrency, and the ASL retries Lambda.TooManyRequestsException with backoff; a reservation would permanently take capacity from the account pool without slowing any send.',
      );
    }
    acknowledge(
      this.startFunction,
      'HIPAA.Security-LambdaConcurrency',
      'Invoked by the broadcast and campaign schedules (a few a day) and started runs are idempotent per trigger; a reservation would take capacity from the account pool without protecting anything.',
    );
    for (const fn of [...Object.values(this.taskFunctions), this.startFunction]) {
      acknowledge(
        fn,
        'HIPAA.Security-LambdaInsideVPC',
        'Reaches only AWS public service endpoints (DynamoDB, End User Messaging, Amazon Connect, Step Functions, SSM) over TLS with IAM; there is no VPC resource to reach, and a VPC would add NAT/endpoint cost without narrowing access.',
      );
    }
    acknowledge(this.schedulerRole, iamWildcardResourceFinding(stack, `${this.startFunction.functionArn}:*`), 'CDK invoke grant: the unqualified run-start function plus its versions/aliases (":*"); nothing else.');
    acknowledge(
      this.schedulerRole,
      'HIPAA.Security-IAMNoInlinePolicy',
      "CDK's per-role policy of the run scheduler role: invoke run-start, send to the runs' dead-letter queue and use the stage key for it and the schedules; attached to this role only.",
    );
  }
}

/** `outreach-<stage>-<name>`, shortened with a hash of the whole when longer than Scheduler allows (64). */
export function scheduleName(stage: string, name: string): string {
  const full = resourceName(stage, name);
  if (full.length <= MAX_SCHEDULE_NAME) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, MAX_SCHEDULE_NAME - hash.length - 1)}-${hash}`;
}
