/**
 * Outreach: the cadence workflow (statemachines/cadence.asl.json) and its six functions,
 * broadcast and campaign runs (lib/constructs/runs.ts: statemachines/run.asl.json and the
 * schedules that start runs), the daily postcard manifest (an EventBridge Scheduler
 * schedule), and the do-not-call list import (files dropped under `do-not-call/` in the
 * import bucket), and the ops dashboard and alarms (lib/constructs/observability.ts) with the
 * daily import watch that feeds the import-missing alarms. Like the import
 * stack it holds no data of its own: the tracker, the buckets and the key live in the data
 * stack, the numbers and the configuration set in the messaging stack.
 *
 * Each channel function may use only its own channel: send-sms texts from the SMS
 * identities, drop-voicemail speaks from the voice identities, queue-agent-call dials
 * through the Connect instances practices configure, and none of them can do another's job.
 */
import * as path from 'node:path';
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, TimeZone, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { PracticeProfile, StageConfig } from '../lambdas/domain/stage-config';
import { acknowledge, iamWildcardResourceFinding } from './compliance';
import { OutreachFunction, type OutreachFunctionProps, type SendingResources } from './constructs/outreach-function';
import { AppointmentDesk } from './constructs/appointment-desk';
import { Observability } from './constructs/observability';
import { Reports } from './constructs/reports';
import { Runs } from './constructs/runs';
import { StaffApi } from './constructs/staff-api';
import { outreachWorkflow } from './constructs/workflow';
import {
  createdInstanceEventsDeadLetterQueueName,
  DO_NOT_CALL_PREFIX,
  FLAG_DIGEST_PREFIX,
  HAND_OFF_PREFIX,
  importTriggerDeadLetterQueueName,
  importWorkflowName,
  POSTCARD_MANIFEST_PREFIX,
  resourceName,
} from './naming';
import { objectCreatedUnder } from './data-stack';

const REPO_ROOT = path.resolve(__dirname, '..');
const HANDLERS = path.join(REPO_ROOT, 'lambdas', 'handlers');
export const CADENCE_WORKFLOW_DEFINITION = path.join(REPO_ROOT, 'statemachines', 'cadence.asl.json');

export { DO_NOT_CALL_PREFIX, POSTCARD_MANIFEST_PREFIX };
/** The daily tasks (postcard manifests, hand-off files) run at this UTC hour, after every US practice's day has ended. */
export const DAILY_TASKS_HOUR_UTC = 6;

/** The cadence workflow's tasks; each key is the `${<Key>FunctionArn}` placeholder of the ASL. */
export type CadenceTask = 'PlanStep' | 'SendSms' | 'DropVoicemail' | 'QueueAgentCall' | 'AddPostcard' | 'RecordFailure';

export interface OutreachStackProps extends StackProps {
  /** The parsed stage config. */
  readonly config: StageConfig;
  /** Path of the stage config file; it is bundled with every function. */
  readonly stageConfigFile: string;
  /** The stage key: encrypts log groups and the dead-letter queues. */
  readonly key: kms.IKey;
  readonly trackerTable: dynamodb.ITable;
  /** Practices drop do-not-call lists under `do-not-call/` here. */
  readonly importBucket: s3.IBucket;
  /** Postcard manifests are written under `postcards/` here, scheduling hand-offs under `handoffs/`. */
  readonly reportsBucket: s3.IBucket;
  /** Hand-offs go out on it; the practice's appointment changes come in on it. */
  readonly eventBus: events.IEventBus;
  /** Origination identities, configuration set and opt-out list the senders use, and the inbound SMS topic (the messaging stack). */
  readonly messaging: SendingResources & { readonly inboundSmsTopic?: sns.ITopic; readonly deliveryEventsTopic?: sns.ITopic };
}

export class OutreachStack extends Stack {
  /** The cadence workflow: one execution per enrollment (started by the import's EnrollContacts step). */
  public readonly cadenceStateMachine: sfn.IStateMachine;
  /** The cadence functions by workflow task. */
  public readonly cadenceFunctions: Readonly<Record<CadenceTask, OutreachFunction>>;
  /** Writes the day's postcard manifests, once a day. */
  public readonly postcardManifestFunction: OutreachFunction;
  /** Imports a practice's do-not-call list dropped under `do-not-call/`. */
  public readonly doNotCallImportFunction: OutreachFunction;
  /** The stage's EventBridge Scheduler group (the daily postcard manifest lives in it). */
  public readonly scheduleGroup: scheduler.IScheduleGroup;
  /** Daily runs (postcard manifest, hand-off file) the scheduler could not deliver, and their invocations that failed after Lambda's retries. */
  public readonly dailyTasksDeadLetterQueue: sqs.IQueue;
  /** Do-not-call upload events the rule could not deliver and imports that failed after Lambda's retries. */
  public readonly doNotCallDeadLetterQueue: sqs.IQueue;
  /** Records dispositions from Connect; only when a practice has a contact center. */
  public readonly recordDispositionFunction?: OutreachFunction;
  /** Contact events the rule could not deliver and dispositions that failed after Lambda's retries. */
  public readonly dispositionDeadLetterQueue?: sqs.IQueue;
  /** Texts and calls due at a set time, the new try after a refusal, the practice's appointment changes. */
  public readonly appointmentDesk: AppointmentDesk;
  /** Writes the day's scheduling hand-off files, once a day. */
  public readonly handOffFileFunction: OutreachFunction;
  /** Reads every text people send to the practices' numbers (two-way SMS); there when the messaging stack has the topic. */
  public readonly receiveReplyFunction?: OutreachFunction;
  /** Records what became of each text and voice message (the configuration set's events). */
  public readonly recordDeliveryFunction?: OutreachFunction;
  /** Writes the daily digest of flags staff have not handled, once a day. */
  public readonly flagDigestFunction: OutreachFunction;
  /** Publishes, once a day, which practices' monthly import files are late. */
  public readonly importWatchFunction: OutreachFunction;
  /** The ops dashboard, the alarms and the topic they notify. */
  public readonly observability: Observability;
  /** The daily outreach report and the replies export (lib/constructs/reports.ts). */
  public readonly reports: Reports;
  /** Broadcasts and campaigns: the run workflow, its functions, run-start and the schedules that start runs. */
  public readonly runs: Runs;
  /** Serves the staff API (flagged replies, threads, one-off texts, segments, broadcasts and runs). */
  public readonly staffApiFunction: OutreachFunction;
  public readonly staffApi: StaffApi;

  constructor(scope: Construct, id: string, props: OutreachStackProps) {
    super(scope, id, props);
    const { config } = props;
    const stage = config.stage;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const outreachFunction = (
      constructId: string,
      file: string,
      name: string,
      serviceName: string,
      extra: Pick<OutreachFunctionProps, 'timeout' | 'memorySize' | 'reservedConcurrentExecutions' | 'description' | 'deadLetterQueue'>,
    ): OutreachFunction =>
      new OutreachFunction(this, constructId, {
        entry: path.join(HANDLERS, file),
        functionName: resourceName(stage, name),
        serviceName,
        stageConfigFile: props.stageConfigFile,
        logEncryptionKey: props.key,
        logRemovalPolicy: removalPolicy,
        ...extra,
      });
    const cadenceFunction = (task: CadenceTask, file: string, name: string, extra: Parameters<typeof outreachFunction>[4]) =>
      outreachFunction(task, file, `cadence-${name}`, 'outreach-cadence', extra).bindTrackerTable(props.trackerTable, 'readWrite');

    // Each timeout equals the TimeoutSeconds of the Task that calls the function in the ASL.
    const plan = cadenceFunction('PlanStep', 'cadence-plan.ts', 'plan', {
      description: 'Re-checks an enrollment\'s current step (status, consent, number, window, hours, cap) and decides what it does now',
      timeout: Duration.seconds(60),
    });
    // The channel tasks may wait up to 30 s in-process for the send time the pacer reserved.
    const sendSms = cadenceFunction('SendSms', 'send-sms.ts', 'send-sms', {
      description: 'Texts a mobile from the practice\'s SMS identity, paced, exactly once',
      timeout: Duration.seconds(120),
    }).allowSendText(props.messaging);
    const dropVoicemail = cadenceFunction('DropVoicemail', 'drop-voicemail.ts', 'drop-voicemail', {
      description: 'Leaves a text-to-speech voice message from the practice\'s voice number, paced, exactly once',
      timeout: Duration.seconds(120),
    }).allowSendVoice(props.messaging);
    const queueAgentCall = cadenceFunction('QueueAgentCall', 'queue-agent-call.ts', 'queue-agent-call', {
      description: 'Queues an outbound agent call in Amazon Connect, exactly once',
      timeout: Duration.seconds(120),
    });
    // Only the Connect instances practices configure; with none, no Connect permission at all.
    for (const instance of new Set(config.practices.map(contactCenterInstance).filter((i): i is string => i !== undefined))) {
      queueAgentCall.allowOutboundCall(instance);
    }
    // Voicemails go through Connect (waiting for the beep) only for practices with a voicemail flow.
    for (const instance of new Set(config.practices.filter((p) => p.contactCenter?.voicemailFlowId && p.contactCenter.instanceId).map((p) => p.contactCenter!.instanceId!))) {
      dropVoicemail.allowOutboundCall(instance);
    }
    const addPostcard = cadenceFunction('AddPostcard', 'add-postcard.ts', 'add-postcard', {
      description: 'Adds a person to the practice\'s postcard manifest for today, exactly once',
      timeout: Duration.seconds(60),
    });
    const recordFailure = cadenceFunction('RecordFailure', 'cadence-fail.ts', 'fail', {
      description: 'Marks an enrollment failed with the error of the step that failed',
      timeout: Duration.seconds(30),
    });
    this.cadenceFunctions = {
      PlanStep: plan,
      SendSms: sendSms,
      DropVoicemail: dropVoicemail,
      QueueAgentCall: queueAgentCall,
      AddPostcard: addPostcard,
      RecordFailure: recordFailure,
    };
    for (const fn of Object.values(this.cadenceFunctions)) {
      acknowledge(
        fn,
        'HIPAA.Security-LambdaDLQ',
        'Invoked synchronously by the cadence workflow only; failures return to the workflow, whose Retry/Catch records them (RecordFailure). A Lambda DLQ applies to asynchronous invocations and would never receive anything.',
      );
      acknowledge(
        fn,
        'HIPAA.Security-LambdaConcurrency',
        'Only the cadence workflow invokes it. Send rates are paced per origination identity by the pacer in the tracker, not by concurrency, and the ASL retries Lambda.TooManyRequestsException with backoff; a reservation would permanently take capacity from the account pool without slowing any send.',
      );
    }

    const stateMachine = outreachWorkflow(this, 'CadenceWorkflow', {
      stateMachineName: resourceName(stage, 'cadence'),
      definitionFile: CADENCE_WORKFLOW_DEFINITION,
      functions: Object.fromEntries(Object.entries(this.cadenceFunctions).map(([task, fn]) => [`${task}FunctionArn`, fn])),
      key: props.key,
      removalPolicy,
      owner: 'OutreachStack',
      describe: 'invoke on the six cadence functions, tracing and log delivery',
    });
    this.cadenceStateMachine = stateMachine;

    // Daily files (postcard manifest, scheduling hand-off): EventBridge Scheduler invokes the functions asynchronously.
    this.dailyTasksDeadLetterQueue = this.deadLetterQueue('DailyTasksDeadLetterQueue', props.key, 'daily task schedules (postcard manifest, hand-off file, flag digest, import watch)');
    this.postcardManifestFunction = outreachFunction('PostcardManifest', 'postcard-manifest.ts', 'postcard-manifest', 'outreach-postcards', {
      description: 'Writes each practice\'s postcard manifest for the print vendor, once a day',
      timeout: Duration.minutes(5),
      // One writer at a time: a retried or late run never races the next day's.
      reservedConcurrentExecutions: 1,
      deadLetterQueue: this.dailyTasksDeadLetterQueue,
    })
      .bindTrackerTable(props.trackerTable, 'readWrite')
      .bindReportsBucket(props.reportsBucket, 'write', POSTCARD_MANIFEST_PREFIX);
    this.handOffFileFunction = outreachFunction('HandOffFile', 'hand-off-file.ts', 'hand-off-file', 'outreach-appointments', {
      description: 'Writes each practice\'s scheduling hand-off file (appointments booked, moved, cancelled) for the day before, once a day',
      timeout: Duration.minutes(5),
      reservedConcurrentExecutions: 1,
      deadLetterQueue: this.dailyTasksDeadLetterQueue,
    })
      .bindTrackerTable(props.trackerTable, 'read')
      .bindReportsBucket(props.reportsBucket, 'write', HAND_OFF_PREFIX);
    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'ScheduleGroup', { scheduleGroupName: resourceName(stage, 'schedules') });
    this.daily('PostcardManifest', this.postcardManifestFunction, stage, props.key);
    this.daily('HandOffFile', this.handOffFileFunction, stage, props.key);
    this.flagDigestFunction = outreachFunction('FlagDigest', 'flag-digest.ts', 'flag-digest', 'outreach-staff-api', {
      description: 'Writes each practice\'s daily digest of flagged replies and dispositions staff have not handled',
      timeout: Duration.minutes(5),
      reservedConcurrentExecutions: 1,
      deadLetterQueue: this.dailyTasksDeadLetterQueue,
    })
      .bindTrackerTable(props.trackerTable, 'read')
      .bindReportsBucket(props.reportsBucket, 'write', FLAG_DIGEST_PREFIX);
    this.daily('FlagDigest', this.flagDigestFunction, stage, props.key);
    this.importWatchFunction = outreachFunction('ImportWatch', 'import-watch.ts', 'import-watch', 'outreach-observability', {
      description: 'Publishes ImportMissing for each practice whose monthly file is late (the import-missing alarms)',
      timeout: Duration.minutes(1),
      reservedConcurrentExecutions: 1,
      deadLetterQueue: this.dailyTasksDeadLetterQueue,
    }).bindTrackerTable(props.trackerTable, 'read');
    this.daily('ImportWatch', this.importWatchFunction, stage, props.key);
    // Reports people read: the daily outreach report (13:00 UTC, in the daily group) and the replies export.
    this.reports = new Reports(this, 'Reports', {
      stage,
      key: props.key,
      trackerTable: props.trackerTable,
      reportsBucket: props.reportsBucket,
      scheduleGroup: this.scheduleGroup,
      makeFunction: outreachFunction,
      deadLetterQueue: this.dailyTasksDeadLetterQueue,
    });

    const instances = [...new Set(config.practices.map(contactCenterInstance).filter((i): i is string => i !== undefined))];
    this.appointmentDesk = new AppointmentDesk(this, 'AppointmentDesk', {
      stage,
      key: props.key,
      trackerTable: props.trackerTable,
      eventBus: props.eventBus,
      messaging: props.messaging,
      cadenceStateMachine: stateMachine,
      importBucket: props.importBucket,
      reportsBucket: props.reportsBucket,
      instances,
      makeFunction: outreachFunction,
      deadLetterQueue: (id, of) => this.deadLetterQueue(id, props.key, of),
    });

    // Do-not-call lists: S3 "Object Created" under do-not-call/ → the import function.
    this.doNotCallDeadLetterQueue = this.deadLetterQueue('DoNotCallImportDeadLetterQueue', props.key, 'do-not-call import rule');
    this.doNotCallImportFunction = outreachFunction('DoNotCallImport', 'dnc-import.ts', 'dnc-import', 'outreach-do-not-call', {
      description: 'Imports a practice\'s do-not-call list into the tracker',
      timeout: Duration.minutes(15),
      memorySize: 1024,
      // Lists arrive rarely; one import at a time keeps two lists of one practice from interleaving.
      reservedConcurrentExecutions: 1,
      deadLetterQueue: this.doNotCallDeadLetterQueue,
    })
      .bindTrackerTable(props.trackerTable, 'readWrite')
      .bindImportBucket(props.importBucket, 'read', DO_NOT_CALL_PREFIX);
    const doNotCallRule = new events.Rule(this, 'DoNotCallUploadedRule', {
      description: `Imports do-not-call lists uploaded under ${DO_NOT_CALL_PREFIX} in the import bucket`,
      eventPattern: objectCreatedUnder(props.importBucket, DO_NOT_CALL_PREFIX),
    });
    // The function receives the raw EventBridge event.
    doNotCallRule.addTarget(
      new targets.LambdaFunction(this.doNotCallImportFunction.function, {
        deadLetterQueue: this.doNotCallDeadLetterQueue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      }),
    );

    // Two-way SMS: the inbound topic → receive-reply (opt-outs first; appointment replies through the desk).
    const inbound = props.messaging.inboundSmsTopic;
    if (inbound) {
      this.receiveReplyFunction = this.appointmentDesk
        .equip(
          outreachFunction('ReceiveReply', 'receive-reply.ts', 'receive-reply', 'outreach-replies', {
            description: 'Reads each text people send: opt-out, opt-in, HELP, appointment replies, and flags the rest for staff',
            timeout: Duration.seconds(60),
            deadLetterQueue: this.appointmentDesk.deadLetterQueue,
          }),
        )
        .bindCadenceWorkflow(stateMachine)
        .allowManageOptOuts(props.messaging);
      this.subscribe('InboundSms', inbound, this.receiveReplyFunction);
      acknowledge(
        this.receiveReplyFunction,
        'HIPAA.Security-LambdaConcurrency',
        'Invoked by SNS for each text people send, at their pace; a reservation would take capacity from the account pool and could delay an opt-out, which must take effect before the next message.',
      );
    }

    // Delivery events: the configuration set's topic → record-delivery (the tracker only).
    const deliveries = props.messaging.deliveryEventsTopic;
    if (deliveries) {
      this.recordDeliveryFunction = outreachFunction('RecordDelivery', 'record-delivery.ts', 'record-delivery', 'outreach-deliveries', {
        description: 'Records what became of each text and voice message, and what it says about the number',
        timeout: Duration.seconds(30),
        deadLetterQueue: this.appointmentDesk.deadLetterQueue,
      }).bindTrackerTable(props.trackerTable, 'readWrite');
      this.subscribe('DeliveryEvents', deliveries, this.recordDeliveryFunction);
      acknowledge(
        this.recordDeliveryFunction,
        'HIPAA.Security-LambdaConcurrency',
        'Invoked by SNS for each delivery event, at the carriers\' pace; it only writes the tracker, and a reservation would take capacity from the account pool without protecting anything.',
      );
    }

    // Broadcasts and date-relative campaigns (lib/constructs/runs.ts).
    this.runs = new Runs(this, 'Runs', {
      config,
      key: props.key,
      removalPolicy,
      trackerTable: props.trackerTable,
      messaging: props.messaging,
      makeFunction: outreachFunction,
      deadLetterQueue: (id, of) => this.deadLetterQueue(id, props.key, of),
    });

    // The staff API: IAM-authorised, one function behind it.
    this.staffApiFunction = outreachFunction('StaffApi', 'staff-api.ts', 'staff-api', 'outreach-staff-api', {
      description: 'The staff API: flagged replies, a person\'s thread, one-off texts under the rules, segments, broadcasts and runs',
      timeout: Duration.seconds(29),
    })
      .bindTrackerTable(props.trackerTable, 'readWrite')
      .allowSendText(props.messaging)
      .allowManageOptOuts(props.messaging)
      // Staff start broadcasts (and cancel runs) here.
      .bindRunWorkflow(this.runs.stateMachine);
    this.staffApi = new StaffApi(this, 'StaffInbox', { stage, key: props.key, handler: this.staffApiFunction, removalPolicy });
    acknowledge(this.staffApiFunction, 'HIPAA.Security-LambdaDLQ', 'Invoked synchronously by API Gateway only: a failure is answered to the caller (5xx), and a Lambda DLQ applies to asynchronous invocations only.');
    acknowledge(this.staffApiFunction, 'HIPAA.Security-LambdaConcurrency', 'Serves staff requests at their pace through API Gateway, which throttles per stage; a reservation would take capacity from the account pool.');
    new CfnOutput(this, 'StaffApiUrl', { value: this.staffApi.api.url, description: 'Staff API base URL (SigV4, IAM): see the README' });

    // Dispositions: only where a practice has a Connect contact center (one this config names, or one the contact center stack creates).
    if (config.practices.some((p) => p.contactCenter)) {
      this.dispositionDeadLetterQueue = this.deadLetterQueue('DispositionDeadLetterQueue', props.key, 'Connect contact-event rule');
      this.recordDispositionFunction = outreachFunction('RecordDisposition', 'record-disposition.ts', 'record-disposition', 'outreach-dispositions', {
        description: 'Records what agents, the IVR and machine detection report of a Connect contact, and carries out what it drives',
        timeout: Duration.seconds(60),
        deadLetterQueue: this.dispositionDeadLetterQueue,
      })
        // A number an agent takes down is classified at once, so it can be texted.
        .allowPhoneNumberValidate();
      // A booking texts the confirmation and schedules reminders; a refusal texts the practice information;
      // a caller's cancellation starts the cancellation follow-up; "don't text me" reaches the opt-out list.
      this.appointmentDesk.equip(this.recordDispositionFunction).bindCadenceWorkflow(stateMachine).allowManageOptOuts(props.messaging);
      for (const instance of instances) this.recordDispositionFunction.allowReadContactAttributes(instance);
      acknowledge(
        this.recordDispositionFunction,
        'HIPAA.Security-LambdaConcurrency',
        'Invoked as Connect contacts complete (the pace of agents and callers) and by contact flows that wait for its answer; a reservation would take capacity from the account pool and could throttle a caller in the IVR. The rule retries throttled invocations for 24 h, then dead-letters them.',
      );
      if (instances.length > 0) {
        const instanceArns = instances.map((id) => Stack.of(this).formatArn({ service: 'connect', resource: 'instance', resourceName: id, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }));
        const contactCompleted = new events.Rule(this, 'ConnectContactCompletedRule', {
          description: 'Sends each completed Connect contact (after-contact work done) to record-disposition',
          eventPattern: { source: ['aws.connect'], detailType: ['Amazon Connect Contact Event'], detail: { eventType: ['COMPLETED'], instanceArn: instanceArns } },
        });
        contactCompleted.addTarget(
          new targets.LambdaFunction(this.recordDispositionFunction.function, { deadLetterQueue: this.dispositionDeadLetterQueue, retryAttempts: 185, maxEventAge: Duration.hours(24) }),
        );
      }
    }

    // Practices whose Connect instance the ContactCenter stack creates: every function that plans a send reads its ids.
    if (config.practices.some((p) => p.contactCenter?.instanceAlias)) {
      const desk = this.appointmentDesk;
      // The staff API too: a staff text is planned like any other send (lambdas/handlers/message-support.ts → knowContactCenters).
      for (const fn of [...Object.values(this.cadenceFunctions), desk.sendMessage, desk.placeCallback, desk.changeAppointment, desk.appointmentFile, ...(this.recordDispositionFunction ? [this.recordDispositionFunction] : []), ...(this.receiveReplyFunction ? [this.receiveReplyFunction] : []), this.staffApiFunction]) {
        fn.allowReadCreatedContactCenters(stage);
      }
    }

    for (const fn of [this.postcardManifestFunction, this.handOffFileFunction, this.flagDigestFunction, this.importWatchFunction, this.doNotCallImportFunction, ...(this.recordDispositionFunction ? [this.recordDispositionFunction] : []), ...(this.receiveReplyFunction ? [this.receiveReplyFunction] : []), ...(this.recordDeliveryFunction ? [this.recordDeliveryFunction] : []), this.staffApiFunction]) {
      acknowledge(
        fn,
        'HIPAA.Security-LambdaInsideVPC',
        'Reaches only AWS public service endpoints (DynamoDB, S3, Amazon Connect, PhoneNumberValidate) over TLS with IAM; there is no VPC resource to reach, and a VPC would add NAT/endpoint cost without narrowing access.',
      );
    }
    for (const fn of Object.values(this.cadenceFunctions)) {
      acknowledge(
        fn,
        'HIPAA.Security-LambdaInsideVPC',
        'Reaches only AWS public service endpoints (DynamoDB, End User Messaging, Amazon Connect) over TLS with IAM; there is no VPC resource to reach, and a VPC would add NAT/endpoint cost without narrowing access.',
      );
    }

    // The dashboard and alarms. The import workflow and the dead-letter queues of the import and
    // contact center stacks (deployed after this one) are addressed by their names.
    const byName = (name: string) => sqs.Queue.fromQueueAttributes(this, `${name}Queue`, { queueName: name, queueArn: this.formatArn({ service: 'sqs', resource: name, arnFormat: ArnFormat.NO_RESOURCE_NAME }) });
    this.observability = new Observability(this, 'Observability', {
      config,
      key: props.key,
      workflows: {
        cadence: stateMachine,
        runs: this.runs.stateMachine,
        import: sfn.StateMachine.fromStateMachineName(this, 'ImportWorkflowByName', importWorkflowName(stage)),
      },
      deadLetterQueues: {
        dailyTasks: this.dailyTasksDeadLetterQueue,
        doNotCall: this.doNotCallDeadLetterQueue,
        appointments: this.appointmentDesk.deadLetterQueue,
        runs: this.runs.deadLetterQueue,
        importTrigger: byName(importTriggerDeadLetterQueueName(stage)),
        ...(this.dispositionDeadLetterQueue ? { dispositions: this.dispositionDeadLetterQueue } : {}),
        ...(config.practices.some((p) => p.contactCenter?.instanceAlias) ? { connectEvents: byName(createdInstanceEventsDeadLetterQueueName(stage)) } : {}),
      },
    });
    new CfnOutput(this, 'OpsAlarmTopicArn', { value: this.observability.topic.topicArn, description: 'Every alarm notifies this topic: subscribe a pager or chat to it' });
    new CfnOutput(this, 'DashboardName', { value: this.observability.dashboard.dashboardName });

    new CfnOutput(this, 'CadenceStateMachineArn', { value: stateMachine.stateMachineArn });
    new CfnOutput(this, 'RunStateMachineArn', { value: this.runs.stateMachine.stateMachineArn, description: 'Broadcast and campaign runs (RUN_STATE_MACHINE_ARN)' });
  }

  /** Subscribes `fn` to a topic of the messaging stack; the subscription lives here, beside the function (that stack cannot refer to this one). */
  private subscribe(id: string, topic: sns.ITopic, fn: OutreachFunction): void {
    new sns.Subscription(this, `${id}Subscription`, { topic, protocol: sns.SubscriptionProtocol.LAMBDA, endpoint: fn.functionArn });
    fn.function.addPermission(`${id}Invokes`, { principal: new iam.ServicePrincipal('sns.amazonaws.com'), sourceArn: topic.topicArn, sourceAccount: this.account });
  }

  /** A KMS-encrypted, TLS-only queue that is itself a dead-letter queue. */
  private deadLetterQueue(id: string, key: kms.IKey, of: string): sqs.Queue {
    const queue = new sqs.Queue(this, id, {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      queue,
      'AwsSolutions-SQS3',
      `This queue is itself the dead-letter queue of the ${of} and of its function's asynchronous invocations; a dead-letter queue of a dead-letter queue adds nothing.`,
    );
    return queue;
  }

  /** `fn` every day at 06:00 UTC (after every US practice's day has ended), with retries and a dead-letter queue. */
  private daily(id: string, fn: OutreachFunction, stage: string, key: kms.IKey): void {
    // An own role (rather than the target's generated one) so it sits beside the schedule
    // and carries its acknowledgements. Scheduler assumes it for this account's group only.
    const role = new iam.Role(this, `${id}ScheduleRole`, {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account, 'aws:SourceArn': this.scheduleGroup.scheduleGroupArn } },
      }),
      description: `EventBridge Scheduler invokes ${fn.node.id} daily`,
    });
    // Scheduler writes undeliverable runs to the encrypted queue with this role.
    key.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
    const name = fn.node.id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
    const schedule = new scheduler.Schedule(this, `Daily${id}`, {
      scheduleName: resourceName(stage, name),
      description: `Runs ${name} at ${String(DAILY_TASKS_HOUR_UTC).padStart(2, '0')}:00 UTC every day`,
      scheduleGroup: this.scheduleGroup,
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: String(DAILY_TASKS_HOUR_UTC), timeZone: TimeZone.ETC_UTC }),
      target: new schedulerTargets.LambdaInvoke(fn.function, {
        role,
        input: scheduler.ScheduleTargetInput.fromObject({ scheduledTime: scheduler.ContextAttribute.scheduledTime }),
        deadLetterQueue: this.dailyTasksDeadLetterQueue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(6),
      }),
    });
    // The schedule names its group by name (no reference), so the order is stated.
    schedule.node.addDependency(this.scheduleGroup);
    acknowledge(role, iamWildcardResourceFinding(this, `${fn.functionArn}:*`), `CDK invoke grant: the unqualified ${name} function plus its versions/aliases (":*"); nothing else.`);
    acknowledge(
      role,
      'HIPAA.Security-IAMNoInlinePolicy',
      `CDK's per-role policy of the schedule role: invoke the ${name} function, send to the daily tasks' dead-letter queue and use the stage key for that queue; attached to this role only.`,
    );
  }
}

/**
 * The Connect instance a practice's agent calls go through, if it has one (the optional
 * `contactCenter` practice field; a practice without one has its call steps skipped).
 */
export function contactCenterInstance(practice: PracticeProfile): string | undefined {
  return practice.contactCenter?.instanceId;
}
